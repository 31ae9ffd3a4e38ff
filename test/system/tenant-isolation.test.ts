import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { HTTP_ROUTES } from '../../infra/stacks/catalog.ts';
import { createTenant } from '../../shared/use-cases/authenticate.ts';
import { type ApiCall, apiClient } from '../support/api-client.ts';
import { PDF, uniqueFilingNumber } from '../support/fixtures.ts';
import { createTenantResources, type TenantResources } from '../support/resources.ts';
import { settle, TableChanges } from '../support/table-changes.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

/** One row of the matrix: the record of tenant A a route is called on, and a body the route takes. */
interface Row {
  id: (resources: TenantResources) => string;
  body?: unknown;
  /** The key scope the route needs; a key of the other scope gets 403 before anything is looked up. */
  scope: 'agency' | 'operator' | 'any';
  /** An id of the same form that names no record (default: A's id with its last character changed). */
  missing?: () => string;
  /** The path's other parameters (after the first), A's own: the record under the one `id` names. */
  under?: (resources: TenantResources) => Record<string, string>;
}

/** The row's path: `id` in its first parameter, the others from `under`. */
function pathOf(template: string, row: Row, resources: TenantResources, id: string): string {
  const under = row.under?.(resources) ?? {};
  return template.replace(/\{\w+\}/, encodeURIComponent(id)).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(under[name] ?? name));
}

/**
 * Every route whose path names a record (`{id}`, `{filingNumber}`), by route key. The test fails when the catalogue
 * has such a route without a row here, so a new route is held to tenant isolation from the start. The rows run in
 * this order, which matters for the control calls of tenant A (evidence before the draft is withdrawn, the SMS notice
 * before the decision).
 */
const MATRIX: Record<string, Row> = {
  'GET /v1/applications/{id}': { scope: 'any', id: (r) => r.draft },
  // A's submitted application and its accepted evidence; the missing id is the application's.
  'GET /v1/applications/{id}/evidence/{evidenceId}': { scope: 'any', id: (r) => r.complete, under: (r) => ({ evidenceId: r.completeEvidence }) },
  'POST /v1/applications/{id}/evidence': {
    scope: 'agency',
    id: (r) => r.draft,
    body: { kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length },
  },
  'POST /v1/applications/{id}/submit': { scope: 'agency', id: (r) => r.complete, body: {} },
  'POST /v1/applications/{id}/resubmit': { scope: 'agency', id: (r) => r.rejected, body: { websiteName: '更正后的网站' } },
  'POST /v1/applications/{id}/withdraw': { scope: 'agency', id: (r) => r.draft, body: {} },
  'POST /v1/reviews/{id}/verification': { scope: 'operator', id: (r) => r.underReview, body: {} },
  'POST /v1/reviews/{id}/decision': { scope: 'operator', id: (r) => r.underReview, body: { outcome: 'approved' } },
  'POST /v1/webhook-endpoints/{id}/rotate-secret': { scope: 'agency', id: (r) => r.endpoint, body: {} },
  'GET /v1/webhook-endpoints/{id}/deliveries': { scope: 'any', id: (r) => r.endpoint },
  'GET /v1/webhook-deliveries/{id}': { scope: 'any', id: (r) => r.delivery },
  'POST /v1/webhook-deliveries/{id}/redeliver': { scope: 'agency', id: (r) => r.delivery, body: {} },
  // Rotate before revoke: a revoked key is not rotated (409), an expiring one may be revoked.
  'POST /v1/api-keys/{id}/rotate': { scope: 'agency', id: (r) => r.apiKey, body: { overlapSeconds: 60 } },
  'POST /v1/api-keys/{id}/revoke': { scope: 'agency', id: (r) => r.apiKey, body: {} },
  'GET /v1/filing-registry/{filingNumber}': { scope: 'any', id: (r) => r.filingNumber, missing: () => uniqueFilingNumber() },
  'GET /v1/batches/{id}': { scope: 'any', id: (r) => r.batch },
  'GET /v1/batches/{id}/report': { scope: 'any', id: (r) => r.batch },
  'POST /v1/batches/{id}/submit': { scope: 'agency', id: (r) => r.batch, body: {} },
  'GET /v1/batch-evidence/{id}': { scope: 'any', id: (r) => r.batchEvidence },
};

const ID_ROUTES = HTTP_ROUTES.map((r) => r.routeKey).filter((key) => /\{(id|filingNumber)\}/.test(key));

/** Tenant B calls every id route on tenant A's records with each of its keys. */
describe('tenant isolation', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-isolation-'));
  let runtime: LocalRuntime;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let changes: TableChanges;
  let resources: TenantResources;
  let mine: { agency: ApiCall; operator: ApiCall };
  let theirs: { agency: ApiCall; operator: ApiCall };

  beforeAll(async () => {
    // A manual authority and stretched waits: nothing changes the table while the calls are made but the calls.
    runtime = await startLocalRuntime({ port: 0, dataDir, authority: 'manual', authorityDelayMs: 0, timeScale: 1_000 });
    receiver = await startWebhookReceiver();
    const other = await createTenant(runtime.deps, { name: 'Another agency' });
    mine = { agency: apiClient(runtime.url, runtime.demoTenant.agencyKey), operator: apiClient(runtime.url, runtime.demoTenant.operatorKey) };
    theirs = { agency: apiClient(runtime.url, other.agencyKey), operator: apiClient(runtime.url, other.operatorKey) };
    resources = await createTenantResources(mine.agency, mine.operator, receiver.url);
    changes = await TableChanges.open();
    await settle(runtime, changes, { maxMs: 30_000 });
  });

  afterAll(async () => {
    changes?.close();
    await receiver?.stop();
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('has a row for every route of the catalogue that names a record', () => {
    // Assess
    expect(Object.keys(MATRIX).sort()).toEqual([...ID_ROUTES].sort());
  });

  it("answers another tenant's keys as for a record that does not exist (404, or 403 for the wrong scope), and changes nothing", async () => {
    // Prepare
    const outcomes: string[] = [];
    const expected: string[] = [];

    // Act
    for (const [routeKey, row] of Object.entries(MATRIX)) {
      const [method, template] = routeKey.split(' ') as [string, string];
      const path = (id: string) => pathOf(template, row, resources, id);
      const missing = row.missing?.() ?? otherLastCharacter(row.id(resources));
      for (const scope of ['agency', 'operator'] as const) {
        const foreign = await theirs[scope](method, path(row.id(resources)), row.body);
        const changed = (await changes.drain()).filter((c) => !c.expired).map((c) => `${c.event} ${c.pk} ${c.sk}`);
        const absent = await theirs[scope](method, path(missing), row.body);
        const status = row.scope === 'any' || row.scope === scope ? 404 : 403;
        outcomes.push(`${routeKey} ${scope}: ${describeAnswer(foreign)} (a missing id: ${describeAnswer(absent)}) changed [${changed.join(', ')}]`);
        expected.push(`${routeKey} ${scope}: ${status} problem+json (a missing id: ${status} problem+json) changed []`);
      }
    }

    // Assess
    expect(outcomes).toEqual(expected);
  });

  it("lets tenant A's own keys use each row's record (so each row names a real record)", async () => {
    // Act
    const outcomes: string[] = [];
    for (const [routeKey, row] of Object.entries(MATRIX)) {
      const [method, template] = routeKey.split(' ') as [string, string];
      const answer = await mine[row.scope === 'operator' ? 'operator' : 'agency'](method, pathOf(template, row, resources, row.id(resources)), row.body);
      outcomes.push(`${routeKey}: ${answer.status >= 200 && answer.status < 300 ? '2xx' : `${answer.status} ${JSON.stringify(answer.body)}`}`);
    }

    // Assess
    expect(outcomes).toEqual(Object.keys(MATRIX).map((routeKey) => `${routeKey}: 2xx`));
  });
});

/** The same id with its last character replaced by another of the ULID alphabet. */
function otherLastCharacter(id: string): string {
  return `${id.slice(0, -1)}${id.endsWith('z') ? 'y' : 'z'}`;
}

function describeAnswer(answer: Awaited<ReturnType<ApiCall>>): string {
  const problem = answer.headers.get('content-type') === 'application/problem+json' && answer.body?.status === answer.status;
  return `${answer.status}${problem ? ' problem+json' : ` ${answer.headers.get('content-type')} ${JSON.stringify(answer.body)}`}`;
}
