import fc from 'fast-check';
import type { HttpRouteSpec } from '../infra/stacks/catalog.ts';
import { ApiKeyInput, RotationInput } from '../shared/domain/api-key.ts';
import { ApplicationInput, ApplicationStatus, CorrectionInput } from '../shared/domain/application.ts';
import { CsvBatchInput, InlineBatchInput } from '../shared/domain/batch.ts';
import { MiitRegistryRow, PlainRegistryRow } from '../shared/domain/filing-registry.ts';
import { Decision } from '../shared/domain/records.ts';
import { RejectionReasonCode } from '../shared/domain/rejection-reasons.ts';
import { RegistryImportBody } from '../shared/http/registry-import-body.ts';
import * as z from '../shared/zod.ts';
import { BatchRelease } from '../shared/use-cases/batches/release-batch.ts';
import { EvidenceUploadInput } from '../shared/use-cases/create-evidence-upload.ts';
import { SmsVerificationNotice } from '../shared/use-cases/record-sms-verification.ts';
import { WebhookEndpointInput } from '../shared/use-cases/webhooks/manage-endpoints.ts';
import { daysAgo, testClock } from '../test/support/clock.ts';
import { applicationBody } from '../test/support/fixtures.ts';
import type { TenantResources } from '../test/support/resources.ts';
import { arbitraryOf, type Hints } from './schema-arbitrary.ts';

/** What the requests of a run are aimed at: the fuzzed tenant's records, and a webhook receiver that answers 2xx. */
export interface FuzzTargets {
  resources: TenantResources;
  webhookUrl: string;
}

/** What the fuzzer knows of a route beyond its key: the schema of its body, valid bodies, its ids and query. */
export interface RouteInput {
  /** The schemas its JSON body is validated with (several: one of them); none when it takes no body but `{}`. */
  body?: readonly z.core.$ZodType[];
  /** Leaves of those schemas worth filling as a real client would (see `Hints`). */
  hints?: (targets: FuzzTargets) => Hints;
  /** Bodies the route accepts, or nearly (its use case still decides, e.g. an open order on the same filing). */
  valid?: (targets: FuzzTargets) => fc.Arbitrary<unknown>;
  /** It also takes `text/csv` bodies, made from these rows. */
  csvRows?: (targets: FuzzTargets) => fc.Arbitrary<Record<string, string>[]>;
  /** The ids of the tenant's records its `{id}` or `{filingNumber}` names. */
  ids?: (resources: TenantResources) => string[];
  /** The path's other parameters (after the first, which `ids` fuzzes), the tenant's own: e.g. an `{evidenceId}`. */
  under?: (resources: TenantResources) => Record<string, string>;
  /** The query parameters it reads, with values it accepts. */
  query?: (targets: FuzzTargets) => Record<string, fc.Arbitrary<string>>;
  /** It honours `Idempotency-Key`. */
  idempotent?: true;
  /** The key scope it needs (`any` for reads); most requests then carry a key of that scope. */
  scope: 'agency' | 'operator' | 'any';
}

const PROVINCES = ['京', '沪', '粤', '浙', '苏', '川', '鄂', '鲁'];

/** Website filing numbers of the 10-digit form, spread wide enough that two requests rarely share one. */
export const filingNumbers: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...PROVINCES), fc.integer({ min: 2005, max: 2024 }), fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 1, max: 9 }))
  .map(([province, year, sequence, site]) => `${province}ICP备${year}${String(sequence).padStart(6, '0')}号-${site}`);

/** A body `POST /v1/applications` accepts (a website of an enterprise, closed a month ago). */
const validApplication = filingNumbers.map((filingNumber) => applicationBody({ filingNumber }));

/** The leaves of an application whose schema is too loose to reach the use case's checks by chance. */
const APPLICATION_HINTS: Hints = {
  filingNumber: filingNumbers,
  'subject.creditCode': fc.constant('91330100799655058B'),
  'domains.*': fc.domain(),
  'siteState.since': fc.integer({ min: -30, max: 800 }).map((days) => daysAgo(days)),
  'siteState.target': fc.domain(),
};

const limits = (max: number) => fc.integer({ min: 1, max }).map(String);
const EMPTY_BODY = [z.strictObject({})];

/**
 * One entry per route of the catalogue (`HTTP_ROUTES`), by route key: `routeInputs` refuses to fuzz a catalogue with a
 * route missing here, so a new route is fuzzed from its first run.
 */
export const ROUTE_INPUTS: Readonly<Record<string, RouteInput>> = {
  'POST /v1/applications': { scope: 'agency', body: [ApplicationInput], hints: () => APPLICATION_HINTS, valid: () => validApplication, idempotent: true },
  'GET /v1/applications': {
    scope: 'any',
    query: ({ resources }) => ({
      limit: limits(200),
      cursor: fc.constant(resources.cursors.applications),
      batchId: fc.constantFrom(resources.batch, resources.csvBatch),
      status: fc.uniqueArray(fc.constantFrom(...ApplicationStatus.options), { minLength: 1, maxLength: 3 }).map((s) => s.join(',')),
      filingNumber: fc.oneof(filingNumbers, fc.constant('京icp备１００４６４４４号－９')),
      customerRef: fc.constantFrom('ref-1', 'CRM-2026-0042'),
      order: fc.constantFrom('newest', 'oldest'),
    }),
  },
  'GET /v1/applications/{id}': { scope: 'any', ids: applicationIds },
  'GET /v1/applications/{id}/evidence/{evidenceId}': { scope: 'any', ids: (r) => [r.complete], under: (r) => ({ evidenceId: r.completeEvidence }) },
  'POST /v1/applications/{id}/evidence': {
    scope: 'agency',
    body: [EvidenceUploadInput],
    hints: () => ({ contentLength: fc.integer({ min: 1, max: 20_000_000 }) }),
    ids: (r) => [r.draft, r.complete],
  },
  'POST /v1/applications/{id}/submit': { scope: 'agency', body: EMPTY_BODY, ids: (r) => [r.complete, r.draft] },
  'POST /v1/applications/{id}/resubmit': {
    scope: 'agency',
    body: [CorrectionInput],
    hints: () => APPLICATION_HINTS,
    valid: () => fc.record({ websiteName: fc.string({ minLength: 1, maxLength: 20 }) }, { requiredKeys: [] }),
    ids: (r) => [r.rejected],
  },
  'POST /v1/applications/{id}/withdraw': { scope: 'agency', body: EMPTY_BODY, ids: (r) => [r.draft, r.rejected] },
  'POST /v1/reviews/{id}/decision': {
    scope: 'operator',
    body: [Decision],
    hints: () => ({ 'reasons.*.code': fc.constantFrom(...RejectionReasonCode.options) }),
    ids: (r) => [r.underReview, r.rejected],
  },
  'POST /v1/reviews/{id}/verification': {
    scope: 'operator',
    body: [SmsVerificationNotice],
    valid: () => fc.option(fc.integer({ min: 0, max: 30 * 3600 }).map((s) => ({ sentAt: new Date(testClock.now().getTime() - s * 1000).toISOString() })), { nil: {} }),
    ids: (r) => [r.underReview],
  },
  'POST /v1/webhook-endpoints': {
    scope: 'agency',
    body: [WebhookEndpointInput],
    hints: ({ webhookUrl }) => ({ url: fc.oneof(fc.constant(webhookUrl), fc.webUrl()) }),
    // Rare event types: every endpoint that takes them all would add a delivery to each later event of the run.
    valid: ({ webhookUrl }) => fc.record({ url: fc.constant(webhookUrl), eventTypes: fc.constantFrom(['batch.completed'], ['application.review_overdue']) }),
  },
  'GET /v1/webhook-endpoints': { scope: 'any' },
  'POST /v1/webhook-endpoints/{id}/rotate-secret': { scope: 'agency', body: EMPTY_BODY, ids: (r) => [r.endpoint] },
  'GET /v1/webhook-endpoints/{id}/deliveries': {
    scope: 'any',
    ids: (r) => [r.endpoint],
    query: ({ resources }) => ({ limit: limits(100), cursor: fc.constant(resources.cursors.deliveries) }),
  },
  'GET /v1/webhook-deliveries/{id}': { scope: 'any', ids: (r) => [r.delivery] },
  'POST /v1/webhook-deliveries/{id}/redeliver': { scope: 'agency', body: EMPTY_BODY, ids: (r) => [r.delivery] },
  'GET /v1/api-keys': { scope: 'agency' },
  'POST /v1/api-keys': {
    scope: 'agency',
    body: [ApiKeyInput],
    valid: () => fc.record({ name: fc.string({ minLength: 1, maxLength: 40 }) }, { requiredKeys: [] }),
    idempotent: true,
  },
  'POST /v1/api-keys/{id}/revoke': { scope: 'agency', body: EMPTY_BODY, ids: (r) => [r.apiKey] },
  'POST /v1/api-keys/{id}/rotate': { scope: 'agency', body: [RotationInput], ids: (r) => [r.apiKey] },
  'POST /v1/filing-registry': {
    scope: 'agency',
    body: [RegistryImportBody],
    hints: () => ({ 'records.*': fc.oneof(registryRow(PlainRegistryRow), registryRow(MiitRegistryRow)) }),
    valid: () => fc.record({ records: fc.array(plainRegistryRecord, { minLength: 1, maxLength: 3 }) }),
    csvRows: () => fc.array(plainRegistryRecord, { minLength: 1, maxLength: 3 }),
  },
  'GET /v1/filing-registry/{filingNumber}': { scope: 'any', ids: (r) => [r.filingNumber] },
  'POST /v1/batches': {
    scope: 'agency',
    body: [InlineBatchInput, CsvBatchInput],
    hints: () => ({ 'items.*': validApplication }),
    valid: ({ resources }) =>
      fc.oneof(
        fc.record({
          items: fc.array(
            fc.tuple(validApplication, fc.boolean()).map(([item, shared]) => (shared ? { ...item, evidence: [resources.batchEvidence] } : item)),
            { minLength: 1, maxLength: 2 },
          ),
          submit: fc.constantFrom('hold', 'immediately'),
        }),
        fc.constant({ format: 'csv' }),
      ),
    idempotent: true,
  },
  'GET /v1/batches': { scope: 'any', query: ({ resources }) => ({ limit: limits(100), cursor: fc.constant(resources.cursors.batches) }) },
  'GET /v1/batches/{id}': { scope: 'any', ids: batchIds },
  'POST /v1/batches/{id}/submit': { scope: 'agency', body: [BatchRelease], ids: batchIds },
  'GET /v1/batches/{id}/report': { scope: 'any', ids: batchIds },
  'POST /v1/batch-evidence': { scope: 'agency', body: [EvidenceUploadInput], hints: () => ({ contentLength: fc.integer({ min: 1, max: 20_000_000 }) }) },
  'GET /v1/batch-evidence/{id}': { scope: 'any', ids: (r) => [r.batchEvidence] },
  // The API's document, to anyone.
  'GET /v1/openapi.json': { scope: 'any' },
  // Whatever no route matches: its requests are made by `unroutedRequest`.
  $default: { scope: 'any' },
};

function applicationIds(r: TenantResources): string[] {
  return [r.draft, r.complete, r.underReview, r.rejected];
}

function batchIds(r: TenantResources): string[] {
  return [r.batch, r.csvBatch];
}

/** A registry row of our own shape that imports. */
const plainRegistryRecord = fc
  .tuple(filingNumbers, fc.domain())
  .map(([filingNumber, domain]) => ({ filingNumber, subjectName: '示例科技有限公司', subjectType: 'enterprise', domains: domain }));

/** A registry row of either shape, with real-looking filing numbers and domains. */
function registryRow(schema: z.core.$ZodType): fc.Arbitrary<unknown> {
  return arbitraryOf(schema, {
    filingNumber: filingNumbers,
    subjectFilingNumber: filingNumbers.map((n) => n.replace(/-\d+$/, '')),
    serviceLicence: filingNumbers,
    mainLicence: filingNumbers.map((n) => n.replace(/-\d+$/, '')),
    domains: fc.domain(),
    domain: fc.domain(),
  });
}

/**
 * The inputs of every route of `routes`, in their order; throws naming the routes that have none (and entries left
 * for routes that are gone), so that a new route cannot go unfuzzed.
 */
export function routeInputs(routes: readonly Pick<HttpRouteSpec, 'routeKey'>[]): { routeKey: string; input: RouteInput }[] {
  const keys = routes.map((r) => r.routeKey);
  const missing = keys.filter((key) => !(key in ROUTE_INPUTS));
  const stale = Object.keys(ROUTE_INPUTS).filter((key) => !keys.includes(key as HttpRouteSpec['routeKey']));
  if (missing.length > 0 || stale.length > 0) {
    throw new Error(
      `fuzz/routes.ts must describe exactly the catalogue's routes: ${[...missing.map((k) => `missing ${k}`), ...stale.map((k) => `no such route ${k}`)].join('; ')}`,
    );
  }
  return keys.map((routeKey) => ({ routeKey, input: ROUTE_INPUTS[routeKey] as RouteInput }));
}
