import type { BatchIngestionTasks } from '../constructs/batch-ingestion-workflow.ts';
import type { BatchObjectAccessKind } from '../constructs/batch-object-access.ts';
import type { ReviewWorkflowTasks } from '../constructs/review-workflow.ts';
import { START_REVIEWS_TIMEOUT_SECONDS } from '../../shared/use-cases/batches/ingestion.ts';
import { SWEEP_TIMEOUT_SECONDS } from '../../shared/use-cases/sweep-starts.ts';

/**
 * Every Lambda function of the service and what it is allowed to touch. Adding a function is one line here; the
 * service stack turns each need into the environment variables and the IAM grants that go with it, so a function
 * gets a variable exactly when it gets the permission behind it.
 */
export interface FunctionSpec {
  /** Repository-relative entry file. */
  entry: string;
  /**
   * The records table: `read` or `readWrite` (with its name, `TABLE_NAME`), or `none` for a function that never
   * touches it (no grant, no variable).
   */
  table: 'read' | 'readWrite' | 'none';
  /** Evidence objects: `presign` may only put (it signs upload URLs), `read` may only get. Sets `BUCKET_NAME`. */
  evidence?: 'presign' | 'read';
  /**
   * The review state machine: `start` executions (sets `REVIEW_STATE_MACHINE_ARN`), `respond` to task tokens, or `stop`
   * its executions (sets `REVIEW_STATE_MACHINE_ARN`; a withdrawal ends the application's run).
   */
  review?: 'start' | 'respond' | 'stop';
  /** Starts delivery executions (sets `DELIVERY_STATE_MACHINE_ARN`). */
  delivery?: 'start';
  /** Sends to or validates customer webhook URLs (sets `WEBHOOKS_ALLOW_LOOPBACK`, `WEBHOOKS_ALLOW_HTTP`). */
  webhooks?: true;
  /** Talks to (or stands in for) the authority (sets `AUTHORITY_MODE`). */
  authority?: true;
  /**
   * Applies the agency's evidence policy (required documents, file rules): gets `EVIDENCE_SIZE_LIMIT`,
   * `EVIDENCE_REQUIRE_SIGNED_FORM`, `EVIDENCE_REQUIRE_COLOUR` when the CDK context sets them (else the defaults).
   */
  evidencePolicy?: true;
  /** Batch objects it may put or get, one policy each (see `BATCH_OBJECT_ACCESS`). Sets `BUCKET_NAME`. */
  batchObjects?: readonly BatchObjectAccessKind[];
  /** Starts batch ingestion executions (sets `BATCH_STATE_MACHINE_ARN`). */
  batchIngestion?: 'start';
  /** The function's timeout when 30 s is not enough (ingestion chunks). */
  timeoutSeconds?: number;
}

export interface HttpRouteSpec extends FunctionSpec {
  /** API Gateway route key, `METHOD /path`, or `$default` for the requests no route matches. */
  routeKey: `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /${string}` | '$default';
  /** Construct id of the function (and so the prefix of its logical id). */
  id: string;
}

/** The HTTP API, one function per route; each handler authenticates the caller's API key itself. */
export const HTTP_ROUTES: readonly HttpRouteSpec[] = [
  { routeKey: 'POST /v1/applications', id: 'CreateApplication', entry: 'functions/http/create-application.ts', table: 'readWrite', evidencePolicy: true },
  { routeKey: 'GET /v1/applications', id: 'ListApplications', entry: 'functions/http/list-applications.ts', table: 'read' },
  { routeKey: 'GET /v1/applications/{id}', id: 'GetApplication', entry: 'functions/http/get-application.ts', table: 'read' },
  { routeKey: 'POST /v1/applications/{id}/evidence', id: 'CreateEvidenceUpload', entry: 'functions/http/create-evidence-upload.ts', table: 'readWrite', evidence: 'presign', evidencePolicy: true },
  // Presigns a GET of one evidence file (its own under evidence/, or a shared one under batch-evidence/), reading no object.
  { routeKey: 'GET /v1/applications/{id}/evidence/{evidenceId}', id: 'GetApplicationEvidence', entry: 'functions/http/get-application-evidence.ts', table: 'read', evidence: 'read', batchObjects: ['readEvidence'] },
  { routeKey: 'POST /v1/applications/{id}/submit', id: 'SubmitApplication', entry: 'functions/http/submit-application.ts', table: 'readWrite', review: 'start' },
  { routeKey: 'POST /v1/applications/{id}/resubmit', id: 'ResubmitApplication', entry: 'functions/http/resubmit-application.ts', table: 'readWrite', review: 'respond', evidencePolicy: true },
  { routeKey: 'POST /v1/applications/{id}/withdraw', id: 'WithdrawApplication', entry: 'functions/http/withdraw-application.ts', table: 'readWrite', review: 'stop' },
  { routeKey: 'POST /v1/reviews/{id}/decision', id: 'RecordDecision', entry: 'functions/http/record-decision.ts', table: 'readWrite', review: 'respond', authority: true },
  { routeKey: 'POST /v1/reviews/{id}/verification', id: 'RecordSmsVerification', entry: 'functions/http/record-sms-verification.ts', table: 'readWrite' },
  { routeKey: 'POST /v1/webhook-endpoints', id: 'CreateWebhookEndpoint', entry: 'functions/http/create-webhook-endpoint.ts', table: 'readWrite', webhooks: true },
  { routeKey: 'GET /v1/webhook-endpoints', id: 'ListWebhookEndpoints', entry: 'functions/http/list-webhook-endpoints.ts', table: 'read' },
  { routeKey: 'POST /v1/webhook-endpoints/{id}/rotate-secret', id: 'RotateWebhookSecret', entry: 'functions/http/rotate-webhook-secret.ts', table: 'readWrite' },
  { routeKey: 'GET /v1/webhook-endpoints/{id}/deliveries', id: 'ListWebhookDeliveries', entry: 'functions/http/list-webhook-deliveries.ts', table: 'read' },
  { routeKey: 'GET /v1/webhook-deliveries/{id}', id: 'GetWebhookDelivery', entry: 'functions/http/get-webhook-delivery.ts', table: 'read' },
  { routeKey: 'POST /v1/webhook-deliveries/{id}/redeliver', id: 'RedeliverWebhook', entry: 'functions/http/redeliver-webhook.ts', table: 'readWrite', delivery: 'start' },
  // A tenant's own agency keys; each route authenticates with one (the admin command manages any key of any tenant).
  { routeKey: 'GET /v1/api-keys', id: 'ListApiKeys', entry: 'functions/http/list-api-keys.ts', table: 'read' },
  { routeKey: 'POST /v1/api-keys', id: 'CreateApiKey', entry: 'functions/http/create-api-key.ts', table: 'readWrite' },
  { routeKey: 'POST /v1/api-keys/{id}/revoke', id: 'RevokeApiKey', entry: 'functions/http/revoke-api-key.ts', table: 'readWrite' },
  { routeKey: 'POST /v1/api-keys/{id}/rotate', id: 'RotateApiKey', entry: 'functions/http/rotate-api-key.ts', table: 'readWrite' },
  { routeKey: 'POST /v1/filing-registry', id: 'ImportFilingRegistry', entry: 'functions/http/import-filing-registry.ts', table: 'readWrite' },
  { routeKey: 'GET /v1/filing-registry/{filingNumber}', id: 'GetFilingRecord', entry: 'functions/http/get-filing-record.ts', table: 'read' },
  { routeKey: 'POST /v1/batches', id: 'CreateBatch', entry: 'functions/http/create-batch.ts', table: 'readWrite', batchObjects: ['putManifests', 'writeFiles'], batchIngestion: 'start' },
  { routeKey: 'GET /v1/batches', id: 'ListBatches', entry: 'functions/http/list-batches.ts', table: 'read' },
  { routeKey: 'GET /v1/batches/{id}', id: 'GetBatch', entry: 'functions/http/get-batch.ts', table: 'read' },
  { routeKey: 'POST /v1/batches/{id}/submit', id: 'ReleaseBatch', entry: 'functions/http/release-batch.ts', table: 'readWrite', review: 'start' },
  { routeKey: 'GET /v1/batches/{id}/report', id: 'GetBatchReport', entry: 'functions/http/get-batch-report.ts', table: 'read', batchObjects: ['readFiles'] },
  { routeKey: 'POST /v1/batch-evidence', id: 'CreateBatchEvidenceUpload', entry: 'functions/http/create-batch-evidence-upload.ts', table: 'readWrite', batchObjects: ['putEvidence'], evidencePolicy: true },
  { routeKey: 'GET /v1/batch-evidence/{id}', id: 'GetBatchEvidence', entry: 'functions/http/get-batch-evidence.ts', table: 'read' },
  // The API's OpenAPI document (openapi.json, bundled), without a key: it reads nothing.
  { routeKey: 'GET /v1/openapi.json', id: 'GetOpenApiDocument', entry: 'functions/http/get-openapi-document.ts', table: 'none' },
  // Any other method and path: 404 problem+json, without a key. It reads nothing.
  { routeKey: '$default', id: 'NoRoute', entry: 'functions/http/no-route.ts', table: 'none' },
];

/** The review workflow's tasks (see `ReviewWorkflow`). */
export const REVIEW_TASKS: { readonly [K in keyof ReviewWorkflowTasks]: FunctionSpec } = {
  // Reads the application and computes the waits; the workflow routes on its status.
  loadApplication: { entry: 'functions/workflow/load-application.ts', table: 'read' },
  probeSite: { entry: 'functions/workflow/probe-site.ts', table: 'readWrite' },
  // Stores the task token; answers it at once when the decision is already in (a resumed execution).
  submitToAuthority: { entry: 'functions/workflow/submit-to-authority.ts', table: 'readWrite', review: 'respond', authority: true },
  recordOverdue: { entry: 'functions/workflow/record-overdue.ts', table: 'readWrite' },
  applyDecision: { entry: 'functions/workflow/apply-decision.ts', table: 'readWrite' },
  awaitCorrection: { entry: 'functions/workflow/await-correction.ts', table: 'readWrite', review: 'respond' },
  // A resubmission that raced the correction deadline ends this run, so it starts the next one.
  expireCorrection: { entry: 'functions/workflow/expire-correction.ts', table: 'readWrite', review: 'start' },
  markFailed: { entry: 'functions/workflow/mark-failed.ts', table: 'readWrite' },
};

/** The delivery workflow's tasks (see `DeliveryWorkflow`). */
export const DELIVERY_TASKS = {
  deliverWebhook: { entry: 'functions/webhooks/deliver-webhook.ts', table: 'readWrite', webhooks: true },
  giveUpDelivery: { entry: 'functions/webhooks/give-up-delivery.ts', table: 'readWrite' },
} as const satisfies Record<string, FunctionSpec>;

/** Checks each uploaded evidence object (S3 ObjectCreated under `evidence/`). */
// It starts reviews: a file that completes a draft marked `submitWhenComplete` submits it.
export const EVIDENCE_CHECK: FunctionSpec = { entry: 'functions/s3/check-evidence.ts', table: 'readWrite', evidence: 'read', evidencePolicy: true, review: 'start' };

/**
 * Turns outbox events (table stream) into deliveries, one per subscribed endpoint, and makes their first attempts
 * (so it sends webhooks); a failed first attempt starts the delivery's retry workflow. Two minutes: first attempts stop
 * when one more might not end in time (`INLINE_RESERVE_MS`), and the rest go to their workflows.
 */
export const EVENT_DISPATCH: FunctionSpec = {
  entry: 'functions/events/dispatch-events.ts',
  table: 'readWrite',
  delivery: 'start',
  webhooks: true,
  timeoutSeconds: 120,
};

/** The batch ingestion workflow's tasks (see `BatchIngestionWorkflow`). */
export const BATCH_TASKS: { readonly [K in keyof BatchIngestionTasks]: FunctionSpec } = {
  prepare: { entry: 'functions/batches/prepare-ingestion.ts', table: 'readWrite', batchObjects: ['readManifests'] },
  // Validates rows like a single submission (the evidence policy decides what is required), writes them with the start
  // requests of rows submitted at once, and meanwhile starts earlier rows' reviews at the pace; five minutes leave a
  // chunk of 1,000 rows ample room.
  ingestChunk: {
    entry: 'functions/batches/ingest-chunk.ts',
    table: 'readWrite',
    batchObjects: ['readManifests', 'readFiles', 'writeFiles'],
    review: 'start',
    evidencePolicy: true,
    timeoutSeconds: 300,
  },
  finish: { entry: 'functions/batches/finish-ingestion.ts', table: 'readWrite', batchObjects: ['readFiles', 'writeFiles'] },
  // Starts the reviews the rows requested that the chunks did not get to, at the system's pace, a minute at a time.
  startReviews: { entry: 'functions/batches/start-reviews.ts', table: 'readWrite', review: 'start', timeoutSeconds: START_REVIEWS_TIMEOUT_SECONDS },
  fail: { entry: 'functions/batches/fail-ingestion.ts', table: 'readWrite', batchObjects: ['readFiles', 'writeFiles'] },
};

/** Starts a batch's ingestion when its manifest lands (S3 ObjectCreated under `batch-manifests/`). */
export const MANIFEST_UPLOADED: FunctionSpec = { entry: 'functions/batches/manifest-uploaded.ts', table: 'readWrite', batchIngestion: 'start' };

/** Checks each uploaded shared evidence file (S3 ObjectCreated under `batch-evidence/`). */
export const BATCH_EVIDENCE_CHECK: FunctionSpec = {
  entry: 'functions/batches/check-batch-evidence.ts',
  table: 'readWrite',
  batchObjects: ['readEvidence'],
  evidencePolicy: true,
};

/** Completes batches when their last application reaches a final status (table stream). */
export const BATCH_SETTLEMENT: FunctionSpec = { entry: 'functions/batches/settle-batches.ts', table: 'readWrite' };

/**
 * Starts the start requests left behind (a caller's own start put off by the pace or by throttling, a holder that
 * died, a batch whose workflow stopped), at the system's pace: every minute (an EventBridge schedule).
 */
export const START_SWEEP: FunctionSpec = {
  entry: 'functions/starts/sweep-starts.ts',
  table: 'readWrite',
  review: 'start',
  delivery: 'start',
  timeoutSeconds: SWEEP_TIMEOUT_SECONDS,
};

/** Every function the service deploys, with what it may touch (tests compare the bundles with it). */
export function allFunctionSpecs(): FunctionSpec[] {
  return [
    ...HTTP_ROUTES,
    ...Object.values(REVIEW_TASKS),
    ...Object.values(DELIVERY_TASKS),
    EVIDENCE_CHECK,
    EVENT_DISPATCH,
    ...Object.values(BATCH_TASKS),
    MANIFEST_UPLOADED,
    BATCH_EVIDENCE_CHECK,
    BATCH_SETTLEMENT,
    START_SWEEP,
  ];
}

/** Every entry file the service deploys, for tests and for creating placeholders. */
export function allEntries(): string[] {
  return allFunctionSpecs().map((spec) => spec.entry);
}
