import { ROTATION_OVERLAP } from '../../shared/domain/api-key.ts';
import { ApplicationStatus } from '../../shared/domain/application.ts';
import { MAX_BATCH_BODY_BYTES } from '../../shared/domain/batch.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../../shared/http/api-gateway.ts';
import { REGISTRY_IMPORT_MAX_BYTES } from '../../shared/http/registry-import-body.ts';
import { BATCH_PAGE } from '../../shared/use-cases/batches/read-batch.ts';
import { MAX_WORKING_KEYS } from '../../shared/use-cases/api-keys.ts';
import { APPLICATION_FILTER_SCAN, APPLICATION_ORDERS, APPLICATION_PAGE } from '../../shared/use-cases/read-applications.ts';
import { EVIDENCE_VIEW_URL_TTL_SECONDS } from '../../shared/use-cases/get-application-evidence.ts';
import { DELIVERY_PAGE } from '../../shared/use-cases/webhooks/deliveries.ts';
import * as example from './examples.ts';

/**
 * What the document says of each route of the catalogue (`HTTP_ROUTES`), by route key: who may call it, its body, its
 * query, and what it answers. The answers every route of a kind shares are added by the document's builder
 * (`document.ts`): 401/500/503 for a route that needs a key, 403 for one that needs a scope, 404 for a path naming a
 * record, 400/413/415 for a body, 400/409 for `Idempotency-Key`. Adding a route: its catalogue line, then its entry
 * here (and the schema of its answer in `shared/api/`), then `npm run openapi`.
 */

/** Who may call: an agency key, an operator key, either, or anyone (no key). */
export type Auth = 'agency' | 'operator' | 'any' | 'public';

/** A JSON Schema written out, for the one answer no zod schema describes (the document itself). */
export type JsonSchema = Record<string, unknown>;

export interface Example {
  summary: string;
  value: unknown;
}

/** A successful answer. */
export interface Success {
  description: string;
  /** A component of `components.ts` by name, or a JSON Schema; none for an answer without a body. */
  schema?: string | JsonSchema;
  headers?: Record<string, { description: string; schema: JsonSchema } | { $ref: string }>;
  examples?: Record<string, Example>;
}

export interface QueryParameter {
  description: string;
  schema: JsonSchema;
}

export interface OperationSpec {
  summary: string;
  description?: string;
  tag: Tag;
  auth: Auth;
  /** The JSON body: a component by name. `required: false` when no body is the same as `{}`. */
  body?: { schema: string; required: boolean; maxBytes: number; csv?: string; examples?: Record<string, Example> };
  query?: Record<string, QueryParameter>;
  /** Honours `Idempotency-Key`. */
  idempotent?: true;
  /** Successful answers, by status. */
  success: Record<number, Success>;
  /** The route's own refusals (problem+json), by status: why it answers them. */
  refusals?: Record<number, string>;
}

export const TAGS = {
  Applications: 'One cancellation: create a draft, upload its evidence, submit, resubmit after a rejection, withdraw.',
  Reviews: 'Operator keys: record what the authority decided or did.',
  Webhooks: 'Endpoints that receive signed events, and the log of every delivery.',
  'Filing registry': 'What the agency knows of its filings (MIIT\'s query export), to check applications against.',
  Batches: 'Many cancellations at once: inline or a CSV manifest, followed live, with a per-row report.',
  'Shared evidence': 'Files uploaded once and referenced by the rows of any number of batches.',
  'API keys': 'The tenant\'s own agency keys: list, create (the key is shown once), rotate with an overlap, revoke.',
  Meta: 'About the API itself.',
} as const;
export type Tag = keyof typeof TAGS;

const location = { Location: { $ref: '#/components/headers/Location' } };
const replayed = { 'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' } };
const limit = (page: { defaultLimit: number; maxLimit: number }): QueryParameter => ({
  description: `Items per page, from 1 to ${page.maxLimit}.`,
  schema: { type: 'integer', minimum: 1, maximum: page.maxLimit, default: page.defaultLimit },
});
const cursor: QueryParameter = {
  description: 'The previous page\'s `nextCursor`, unchanged (a changed one is a 400).',
  schema: { type: 'string' },
};
const noBody = { schema: 'EmptyBody', required: false, maxBytes: DEFAULT_MAX_BODY_BYTES } as const;
const pageRefusal = '`limit` out of range, or a `cursor` that is not one this list gave (`errors` names which).';

export const OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  'POST /v1/applications': {
    summary: 'Create a draft application',
    description:
      'Validates the application against the ICP rules (identifiers, the kind\'s rules, the tenant\'s filing registry, the evidence policy) and creates it as a draft listing the evidence it needs. The same `Idempotency-Key` with the same body answers the same application.',
    tag: 'Applications',
    auth: 'agency',
    body: {
      schema: 'ApplicationInput',
      required: true,
      maxBytes: DEFAULT_MAX_BODY_BYTES,
      examples: { walkthrough: { summary: 'A closed website of an enterprise (README, step 2)', value: example.applicationInput } },
    },
    idempotent: true,
    success: {
      201: {
        description: 'The draft, with `requiredEvidence`.',
        schema: 'Application',
        headers: { ...location, ...replayed },
        examples: { draft: { summary: 'The draft of README\'s walkthrough', value: example.draftApplication } },
      },
    },
    refusals: {
      400: 'The body breaks the ICP rules (every problem in `errors`, with `warnings`).',
      409: 'The filing has an open order (`openApplicationId` when it is yours), or its cancellation was approved already.',
      422: 'The application does not match the filing in the tenant\'s registry (`registry_mismatch`).',
    },
  },
  'GET /v1/applications': {
    summary: 'List applications',
    description:
      `The tenant's applications, newest first (or \`order=oldest\`), a page at a time; \`batchId\` lists one batch's; \`status\`, \`filingNumber\` and \`customerRef\` filter (all given must match). Unfiltered and newest first, a page is exact: \`limit\` items, \`nextCursor\` exactly when more exist. Filtered or oldest first, one call examines at most ${APPLICATION_FILTER_SCAN} applications of the list: a page may hold fewer than \`limit\` items (none, even) with a \`nextCursor\` to go on, and the last page may be empty; follow \`nextCursor\` until it is absent. A cursor is bound to the filters and order it was made with.`,
    tag: 'Applications',
    auth: 'any',
    query: {
      limit: limit(APPLICATION_PAGE),
      cursor,
      batchId: { description: 'Only this batch\'s applications (another tenant\'s batch lists nothing).', schema: { type: 'string' } },
      status: {
        description: `Only applications in this status, or any of several separated by commas (e.g. \`submitted,under_review\`): ${ApplicationStatus.options.join(', ')}.`,
        schema: { type: 'string', pattern: `^(${ApplicationStatus.options.join('|')})(,(${ApplicationStatus.options.join('|')}))*$` },
      },
      filingNumber: {
        description: 'Only this filing\'s applications: an ICP filing number, canonicalised as the API does (full-width characters, spaces and case tolerated); one province written either way (蜀/川) is one filing.',
        schema: { type: 'string', maxLength: 64 },
      },
      customerRef: { description: 'Only applications with exactly this `customerRef`.', schema: { type: 'string', minLength: 1, maxLength: 128 } },
      order: { description: '`newest` first (the default) or `oldest` first (a review queue).', schema: { type: 'string', enum: [...APPLICATION_ORDERS], default: 'newest' } },
    },
    success: { 200: { description: 'A page of applications.', schema: 'ApplicationList' } },
    refusals: { 400: '`limit` out of range, a `cursor` that is not one this list gave with these filters and order, an unknown `status` or `order`, a `filingNumber` that is not one, or a `customerRef` out of range (`errors` names which).' },
  },
  'GET /v1/applications/{id}': {
    summary: 'Get an application',
    description: 'Its status, attempts, rejection reasons with fix hints, evidence (shared evidence marked `shared`), what is still missing and the full timeline.',
    tag: 'Applications',
    auth: 'any',
    success: {
      200: {
        description: 'The application in full.',
        schema: 'ApplicationDetail',
        examples: { approved: { summary: 'Approved on the second attempt', value: example.applicationDetail } },
      },
    },
  },
  'POST /v1/applications/{id}/evidence': {
    summary: 'Upload evidence',
    description: 'Declares a file (kind, type, exact size) and answers a presigned PUT bound to that type and size, valid minutes. The upload is checked when it lands (type by its magic bytes, size, SHA-256; resolution and colour for scans).',
    tag: 'Applications',
    auth: 'agency',
    body: {
      schema: 'EvidenceUploadRequest',
      required: true,
      maxBytes: DEFAULT_MAX_BODY_BYTES,
      examples: { closure: { summary: 'A PDF proof of closure (README, step 3)', value: example.evidenceUploadRequest } },
    },
    success: {
      201: { description: 'Where to PUT the file.', schema: 'EvidenceUpload', examples: { closure: { summary: 'The presigned PUT', value: example.evidenceUpload } } },
    },
    refusals: {
      400: 'The type or size does not fit the rules of the evidence kind.',
      409: 'The application is neither a draft nor rejected (`applicationStatus`).',
    },
  },
  'GET /v1/applications/{id}/evidence/{evidenceId}': {
    summary: 'View an evidence file',
    description: `One evidence file of the application (its own or shared), as the application's detail shows it, with \`download\`: a presigned GET that works for ${EVIDENCE_VIEW_URL_TTL_SECONDS / 60} minutes without a key (ask again for a new one). An accepted file is served inline as the type its check verified; a rejected one as an attachment of type \`application/octet-stream\`. Operators view it beside the application's data.`,
    tag: 'Applications',
    auth: 'any',
    success: {
      200: {
        description: 'The file and its link.',
        schema: 'EvidenceWithDownload',
        examples: { accepted: { summary: 'The accepted proof of closure, to open in a new tab', value: example.evidenceWithDownload } },
      },
    },
    refusals: { 409: 'The file has not been uploaded yet (`evidenceStatus` is `pending_upload`): there is nothing to view.' },
  },
  'POST /v1/applications/{id}/submit': {
    summary: 'Submit a draft',
    description: 'Starts the review of a draft whose evidence is complete.',
    tag: 'Applications',
    auth: 'agency',
    body: noBody,
    success: {
      202: { description: 'Submitted; the review is under way.', schema: 'Application', examples: { submitted: { summary: 'README, step 4', value: example.submittedApplication } } },
    },
    refusals: {
      409: 'Not a draft (`applicationStatus`).',
      422: 'Evidence is missing (`missingEvidence`).',
    },
  },
  'POST /v1/applications/{id}/resubmit': {
    summary: 'Resubmit after a rejection',
    description: 'With the corrected fields, if any; validated as at creation. The evidence needed may change with the corrections and must be complete.',
    tag: 'Applications',
    auth: 'agency',
    body: {
      schema: 'ApplicationCorrection',
      required: false,
      maxBytes: DEFAULT_MAX_BODY_BYTES,
      examples: { unchanged: { summary: 'Nothing to correct: a new scan was uploaded (README, step 5)', value: {} } },
    },
    success: { 202: { description: 'Submitted again (the next attempt).', schema: 'Application' } },
    refusals: {
      400: 'The corrected application breaks the ICP rules.',
      409: 'Not rejected (`applicationStatus`).',
      422: 'Evidence is missing (`missingEvidence`), or the application does not match the registry.',
    },
  },
  'POST /v1/applications/{id}/withdraw': {
    summary: 'Withdraw an application',
    description: 'Before the authority has the order (a draft, submitted, or rejected and awaiting correction): frees the filing and stops the review.',
    tag: 'Applications',
    auth: 'agency',
    body: noBody,
    success: { 200: { description: 'Withdrawn.', schema: 'Application' } },
    refusals: { 409: 'Under review (a cancellation the authority holds is irreversible), or already final (`applicationStatus`).' },
  },
  'POST /v1/reviews/{id}/decision': {
    summary: 'Record the authority\'s decision',
    description: 'For an application under review (its id is the review\'s). A rejection names its reasons from the catalogue.',
    tag: 'Reviews',
    auth: 'operator',
    body: {
      schema: 'Decision',
      required: true,
      maxBytes: DEFAULT_MAX_BODY_BYTES,
      examples: {
        rejected: { summary: 'Rejected (README, step 5)', value: example.rejection },
        approved: { summary: 'Approved', value: example.approval },
      },
    },
    success: {
      202: { description: 'Recorded; the review goes on from it.', schema: 'Application', examples: { rejected: { summary: 'After the rejection', value: example.rejectedApplication } } },
    },
    refusals: {
      400: 'A rejection reason\'s code is not in the catalogue (`rejectionCodes` lists them).',
      409: 'Not under review, or a decision is already recorded (`applicationStatus`, `outcome`).',
    },
  },
  'POST /v1/reviews/{id}/verification': {
    summary: 'Record the SMS verification notice',
    description: 'The authority (12381) has texted the verification code to the person who must confirm; the customer gets `application.verification_required`. Idempotent per review attempt.',
    tag: 'Reviews',
    auth: 'operator',
    body: { schema: 'SmsVerificationNotice', required: false, maxBytes: DEFAULT_MAX_BODY_BYTES },
    success: { 202: { description: 'Recorded; the application shows `smsVerification`.', schema: 'Application' } },
    refusals: {
      400: '`sentAt` lies ahead, or over 24 hours back (record `VERIFICATION_EXPIRED` instead).',
      409: 'Not under review, or decided (`applicationStatus`).',
      422: 'Access removal and licence cancellations are not verified by SMS.',
    },
  },
  'POST /v1/webhook-endpoints': {
    summary: 'Register a webhook endpoint',
    description: 'Events are signed per Standard Webhooks with the `whsec_` secret of the answer, shown this once.',
    tag: 'Webhooks',
    auth: 'agency',
    body: {
      schema: 'WebhookEndpointInput',
      required: true,
      maxBytes: DEFAULT_MAX_BODY_BYTES,
      examples: { local: { summary: 'A local receiver (README, step 1)', value: example.webhookEndpointInput } },
    },
    success: {
      201: { description: 'The endpoint and its secret.', schema: 'WebhookEndpointWithSecret', examples: { local: { summary: 'The local receiver', value: example.webhookEndpointWithSecret } } },
    },
    refusals: { 400: 'The URL is malformed, not https, or resolves to a private, loopback, link-local or metadata address.' },
  },
  'GET /v1/webhook-endpoints': {
    summary: 'List webhook endpoints',
    tag: 'Webhooks',
    auth: 'any',
    success: { 200: { description: 'The tenant\'s endpoints, without secrets.', schema: 'WebhookEndpointList' } },
  },
  'POST /v1/webhook-endpoints/{id}/rotate-secret': {
    summary: 'Rotate an endpoint\'s secret',
    description: 'A new secret, shown this once; the old one keeps signing (a second signature) for 24 hours.',
    tag: 'Webhooks',
    auth: 'agency',
    body: noBody,
    success: { 200: { description: 'The endpoint and its new secret.', schema: 'WebhookEndpointWithSecret' } },
    refusals: { 409: 'Another rotation of the endpoint happened at the same time.' },
  },
  'GET /v1/webhook-endpoints/{id}/deliveries': {
    summary: 'List an endpoint\'s deliveries',
    description: 'Its delivery log, newest first, within the retention.',
    tag: 'Webhooks',
    auth: 'any',
    query: { limit: limit(DELIVERY_PAGE), cursor },
    success: { 200: { description: 'A page of deliveries.', schema: 'WebhookDeliveryList' } },
    refusals: { 400: pageRefusal },
  },
  'GET /v1/webhook-deliveries/{id}': {
    summary: 'Get a delivery',
    description: 'With every attempt: when, what the endpoint answered, how long it took. 404 past the retention.',
    tag: 'Webhooks',
    auth: 'any',
    success: { 200: { description: 'The delivery and its attempt log.', schema: 'WebhookDeliveryDetail' } },
  },
  'POST /v1/webhook-deliveries/{id}/redeliver': {
    summary: 'Redeliver',
    description: 'Sends the event again with a fresh run of attempts (same `webhook-id`), within the retention.',
    tag: 'Webhooks',
    auth: 'agency',
    body: noBody,
    success: { 202: { description: 'A new run of attempts is under way.', schema: 'WebhookDelivery' } },
    refusals: { 409: 'Still being attempted, or the endpoint is disabled.' },
  },
  'POST /v1/filing-registry': {
    summary: 'Import filing records',
    description: 'JSON `{ records }` (our shape or MIIT\'s query export) or `text/csv` with a header row. Good rows are imported, bad ones reported with their number (and CSV line).',
    tag: 'Filing registry',
    auth: 'agency',
    body: {
      schema: 'RegistryImportRequest',
      required: true,
      maxBytes: REGISTRY_IMPORT_MAX_BYTES,
      csv: 'UTF-8 CSV (with or without a BOM) whose header names at least filingNumber, subjectName, subjectType (our shape; the other members of FilingRegistryRow are optional columns), or mainLicence, serviceLicence, unitName, natureName, domain (MIIT\'s export).',
    },
    success: { 200: { description: 'What was imported, and each refused row with its errors.', schema: 'RegistryImportReport' } },
    refusals: { 400: 'No records, too many (over 10,000 per request), CSV that cannot be read, or a header naming neither shape.' },
  },
  'GET /v1/filing-registry/{filingNumber}': {
    summary: 'Get a filing record',
    description: 'The tenant\'s record of a filing, looked up by its canonical form (a pasted or URL-encoded number works).',
    tag: 'Filing registry',
    auth: 'any',
    success: { 200: { description: 'The record, with `importedAt`.', schema: 'FilingRecord' } },
    refusals: { 400: 'Not a filing number.', 404: 'The filing is not in the tenant\'s registry.' },
  },
  'POST /v1/batches': {
    summary: 'Create a batch',
    description:
      'Inline `items` (up to 1,000, ingested at once: 202) or `format: "csv"` (a manifest of up to 100,000 rows PUT afterwards to `upload.uploadUrl`: 201). Every row is validated on its own; bad rows are reported, never fatal. The same `Idempotency-Key` with the same body answers the same batch (a CSV batch still awaiting its manifest with a fresh upload URL).',
    tag: 'Batches',
    auth: 'agency',
    body: {
      schema: 'CreateBatchRequest',
      required: true,
      maxBytes: MAX_BATCH_BODY_BYTES,
      examples: {
        csv: { summary: 'A CSV manifest whose rows stay drafts (README, "Bulk")', value: example.csvBatchInput },
        inline: { summary: 'Inline rows with shared evidence', value: example.inlineBatchInput },
      },
    },
    idempotent: true,
    success: {
      201: {
        description: 'A CSV batch, with where to PUT its manifest while it has not arrived.',
        schema: 'BatchWithUpload',
        headers: { ...location, ...replayed },
        examples: { csv: { summary: 'Awaiting its manifest', value: example.csvBatch } },
      },
      202: { description: 'An inline batch, being ingested.', schema: 'Batch', headers: { ...location, ...replayed } },
    },
    refusals: {
      400: 'Neither `items` nor `format`, too many items, or `submit` and `hold` disagree.',
      409: 'A concurrent request with the same `Idempotency-Key`.',
    },
  },
  'GET /v1/batches': {
    summary: 'List batches',
    description: 'The tenant\'s batches, newest first, each with its live counts.',
    tag: 'Batches',
    auth: 'any',
    query: { limit: limit(BATCH_PAGE), cursor },
    success: { 200: { description: 'A page of batches.', schema: 'BatchList' } },
    refusals: { 400: pageRefusal },
  },
  'GET /v1/batches/{id}': {
    summary: 'Get a batch',
    description: 'Live progress: status, rows read, accepted and refused, applications per status.',
    tag: 'Batches',
    auth: 'any',
    success: { 200: { description: 'The batch.', schema: 'Batch', examples: { ingested: { summary: 'Ingested, held as drafts', value: example.ingestedBatch } } } },
  },
  'POST /v1/batches/{id}/submit': {
    summary: 'Release a batch\'s drafts',
    description: 'One page (200 applications) per call: drafts whose evidence is complete are submitted, the others marked `submitWhenComplete`; a held batch then submits like `immediately`. Call again with `nextCursor` until none is left; harmless to repeat.',
    tag: 'Batches',
    auth: 'agency',
    body: { schema: 'BatchReleaseRequest', required: false, maxBytes: DEFAULT_MAX_BODY_BYTES },
    success: { 200: { description: 'What this page did.', schema: 'BatchRelease' } },
    refusals: { 400: 'A `cursor` that is not one this batch gave.', 409: 'Not ingested yet, or failed (`batchStatus`).' },
  },
  'GET /v1/batches/{id}/report': {
    summary: 'Get a batch\'s report',
    description: 'A short-lived link to the per-row report (CSV), once ingestion has ended.',
    tag: 'Batches',
    auth: 'any',
    success: { 200: { description: 'The link.', schema: 'BatchReport' } },
    refusals: { 409: 'The report is not written yet (`batchStatus`).' },
  },
  'POST /v1/batch-evidence': {
    summary: 'Upload shared evidence',
    description: 'A file for any number of batch rows (the `evidence` column or field), checked like an application\'s evidence.',
    tag: 'Shared evidence',
    auth: 'agency',
    body: { schema: 'EvidenceUploadRequest', required: true, maxBytes: DEFAULT_MAX_BODY_BYTES },
    success: { 201: { description: 'Where to PUT the file.', schema: 'EvidenceUpload' } },
    refusals: { 400: 'The type or size does not fit the rules of the evidence kind.' },
  },
  'GET /v1/batch-evidence/{id}': {
    summary: 'Get shared evidence',
    description: 'The file and its check: `pending_upload`, `accepted` (with `sha256`) or `rejected` (with `rejectionReason`).',
    tag: 'Shared evidence',
    auth: 'any',
    success: { 200: { description: 'The shared evidence.', schema: 'SharedEvidence' } },
  },
  'GET /v1/api-keys': {
    summary: 'List API keys',
    description: 'The tenant\'s agency keys, newest first: prefix, name, status, when made, last used (to the hour), revoked or expiring. Never a key or its hash; operator keys are the administrator\'s (`npm run admin -- keys list`).',
    tag: 'API keys',
    auth: 'agency',
    success: { 200: { description: 'The keys.', schema: 'ApiKeyList' } },
  },
  'POST /v1/api-keys': {
    summary: 'Create an API key',
    description: `An agency key, answered with the key itself this once (only its SHA-256 hash is stored). At most ${MAX_WORKING_KEYS} keys work at once. The same \`Idempotency-Key\` with the same body answers the same key, without \`key\`.`,
    tag: 'API keys',
    auth: 'agency',
    body: { schema: 'ApiKeyRequest', required: false, maxBytes: DEFAULT_MAX_BODY_BYTES, examples: { named: { summary: 'A key for a CI pipeline', value: { name: 'CI pipeline' } } } },
    idempotent: true,
    success: { 201: { description: 'The key, with `key` (not on a replay).', schema: 'IssuedApiKey', headers: replayed } },
    refusals: {
      403: '`scope: "operator"`: operator keys are made by the administrator (`scope_not_allowed`).',
      409: `The tenant has ${MAX_WORKING_KEYS} working keys already (\`too_many_keys\`), or a concurrent request with the same \`Idempotency-Key\`.`,
    },
  },
  'POST /v1/api-keys/{id}/revoke': {
    summary: 'Revoke an API key',
    description: 'The key is refused (401, as an unknown key) within 30 s: each function instance trusts a key it looked up that long. Harmless to repeat. Revoking the key the request is made with is allowed, and the answer says so (`warnings`).',
    tag: 'API keys',
    auth: 'agency',
    body: noBody,
    success: { 200: { description: 'The key, revoked.', schema: 'RevokedApiKey' } },
    refusals: { 409: 'It is the tenant\'s last agency key without an end (`last_key`): create or rotate one first.' },
  },
  'POST /v1/api-keys/{id}/rotate': {
    summary: 'Rotate an API key',
    description: `A new key with the same scope and name, answered with the key itself this once; the old one keeps working for \`overlapSeconds\` (${ROTATION_OVERLAP.defaultSeconds} by default, ${ROTATION_OVERLAP.minSeconds} to ${ROTATION_OVERLAP.maxSeconds}), then is refused. The same \`Idempotency-Key\` with the same body answers the same successor, without \`key\`.`,
    tag: 'API keys',
    auth: 'agency',
    body: { schema: 'ApiKeyRotationRequest', required: false, maxBytes: DEFAULT_MAX_BODY_BYTES, examples: { hour: { summary: 'An hour to switch', value: { overlapSeconds: 3600 } } } },
    idempotent: true,
    success: { 201: { description: 'The new key, with `key` (not on a replay), and `previous`.', schema: 'RotatedApiKey', headers: replayed } },
    refusals: { 409: 'The key is revoked or expired (`not_active`), or is being replaced already (`rotating`).' },
  },
  'GET /v1/openapi.json': {
    summary: 'This document',
    description: 'The API\'s OpenAPI 3.1 document, without a key. Cached for five minutes; `If-None-Match` with its `ETag` answers 304.',
    tag: 'Meta',
    auth: 'public',
    success: {
      200: {
        description: 'The document.',
        schema: {
          type: 'object',
          required: ['openapi', 'info', 'paths'],
          properties: { openapi: { const: '3.1.0' }, info: { type: 'object' }, paths: { type: 'object' } },
          description: 'An OpenAPI 3.1 document: this one.',
        },
        headers: {
          ETag: { description: 'The document\'s version.', schema: { type: 'string' } },
          'Cache-Control': { description: '`public, max-age=300`.', schema: { type: 'string' } },
        },
      },
      304: { description: 'Not modified since the `ETag` sent in `If-None-Match`.' },
    },
  },
};
