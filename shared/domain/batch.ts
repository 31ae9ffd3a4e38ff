import * as z from '../zod.ts';
import { ApplicationInput, ApplicationStatus, FINAL_STATUSES } from './application.ts';
import { EvidenceContentType, EvidenceKind } from './evidence-matrix.ts';

/**
 * Bulk submissions (batches): what an agency sends, what the system keeps about a batch while it is ingested and
 * followed, and the per-row outcomes that make up its report.
 */

/** Rows of an inline batch (`{ items: [...] }`); larger batches come as a CSV manifest. */
export const MAX_INLINE_ITEMS = 1_000;
/** The body of `POST /v1/batches`: 1,000 inline items of a few hundred bytes each, with room to spare (Lambda takes 6 MB). */
export const MAX_BATCH_BODY_BYTES = 5 * 1024 * 1024;
/** Rows of a CSV manifest. */
export const MAX_MANIFEST_ROWS = 100_000;

/**
 * What happens to a row that became an application: `immediately` submits it when its evidence is complete (every
 * required kind covered by accepted shared evidence it references), otherwise it stays a draft; `hold` keeps every
 * row a draft.
 */
export const BatchSubmitMode = z.enum(['immediately', 'hold']);
export type BatchSubmitMode = z.infer<typeof BatchSubmitMode>;

/**
 * - `awaiting_upload`: a CSV batch whose manifest has not arrived yet;
 * - `ingesting`: rows are being validated and turned into applications;
 * - `ingested`: every row has been read and the report is written; applications are under way;
 * - `completed`: every row has reached an end (refused, or an application in a final status); `batch.completed` sent;
 * - `failed`: the manifest could not be read at all (not CSV, not UTF-8, unknown columns, too many rows), or ingestion
 *   kept failing after its retries. Rows already ingested stay as they are and are in the (partial) report.
 */
export const BatchStatus = z.enum(['awaiting_upload', 'ingesting', 'ingested', 'completed', 'failed']);
export type BatchStatus = z.infer<typeof BatchStatus>;

/** Shared evidence ids as the API hands them out (`ev_` + a ULID). */
export const EvidenceId = z.string().check(z.regex(/^ev_[0-9A-Za-z]{1,64}$/, 'must be an evidence id such as ev_01j…, from POST /v1/batch-evidence'));

/**
 * One row of a batch: the body of `POST /v1/applications`, plus the ids of shared evidence (`POST /v1/batch-evidence`)
 * to attach to the application it becomes.
 */
export const BatchItem = z.extend(ApplicationInput, {
  evidence: z.optional(z.array(EvidenceId).check(z.minLength(1), z.maxLength(20))),
});
export type BatchItem = z.infer<typeof BatchItem>;

const SubmitOptions = {
  submit: z.optional(BatchSubmitMode),
  /** Shorthand for `submit: "hold"` (`hold: false` is `submit: "immediately"`). */
  hold: z.optional(z.boolean()),
};

/** `POST /v1/batches` with inline items. Each item is only checked for being an object here: it is validated on its own
 * during ingestion and reported per row. */
export const InlineBatchInput = z.strictObject({
  items: z
    .array(z.record(z.string(), z.unknown(), { error: 'each item must be an application object' }), { error: 'items must be an array of application objects' })
    .check(
      z.minLength(1, 'send at least one item'),
      z.maxLength(MAX_INLINE_ITEMS, `send at most ${MAX_INLINE_ITEMS} items inline; upload a CSV manifest ({ "format": "csv" }) for more`),
    ),
  ...SubmitOptions,
});

/** `POST /v1/batches` for a CSV manifest, uploaded afterwards to the presigned URL of the answer. */
export const CsvBatchInput = z.strictObject({ format: z.literal('csv', { error: 'format must be "csv"' }), ...SubmitOptions });

/** The body of `POST /v1/batches`: inline `items`, or `format: "csv"`; the errors are those of the form sent. */
export const CreateBatchInput = z.pipe(z.record(z.string(), z.unknown(), { error: 'send a JSON object' }), z.transform((body, ctx) => {
  if (!('items' in body) && !('format' in body)) {
    ctx.issues.push({ code: 'custom', input: body, path: [], message: 'Send { "items": [...] } (up to 1,000 applications) or { "format": "csv" } (a manifest upload).' });
    return z.NEVER;
  }
  const parsed = ('items' in body ? InlineBatchInput : CsvBatchInput).safeParse(body);
  if (!parsed.success) {
    ctx.issues.push(...parsed.error.issues.map((issue) => ({ ...issue, input: body }) as z.core.$ZodRawIssue));
    return z.NEVER;
  }
  return parsed.data;
}));
export type CreateBatchInput = z.output<typeof CreateBatchInput>;

/** The submit mode a request asks for; `submit` and `hold` must agree when both are given. */
export function submitModeOf(input: { submit?: BatchSubmitMode | undefined; hold?: boolean | undefined }): BatchSubmitMode | undefined {
  const fromHold = input.hold === undefined ? undefined : input.hold ? 'hold' : 'immediately';
  if (input.submit !== undefined && fromHold !== undefined && input.submit !== fromHold) return undefined;
  return input.submit ?? fromHold ?? 'immediately';
}

/** Where ingestion stands: the next row to read and, for a manifest, the byte offset it starts at. */
export const IngestCursor = z.object({
  /** Rows read and committed so far (so the next row's number is `rows + 1`). */
  rows: z.number().check(z.int(), z.minimum(0)),
  /** Byte offset of the next row in the manifest (CSV only). */
  byte: z.number().check(z.int(), z.minimum(0)),
  /** Chunks committed so far; names the next report part. */
  chunks: z.number().check(z.int(), z.minimum(0)),
  /** True once every row has been read. */
  done: z.boolean(),
});
export type IngestCursor = z.infer<typeof IngestCursor>;

export const BatchError = z.object({ code: z.string(), message: z.string() });
export type BatchError = z.infer<typeof BatchError>;

/** The batch record (one item; its per-status counters are kept apart, see `BatchCounts`). */
export const Batch = z.object({
  id: z.string(),
  tenantId: z.string(),
  status: BatchStatus,
  source: z.enum(['inline', 'csv']),
  submit: BatchSubmitMode,
  /** S3 key of the rows: the uploaded manifest, or the inline items as JSON. */
  inputKey: z.string(),
  /** The manifest's S3 version (when the bucket gives one), so that a later overwrite cannot change what is read. */
  inputVersion: z.optional(z.string()),
  /** The manifest's header, as read by the first step of ingestion. */
  columns: z.optional(z.array(z.string())),
  /** Rows in the batch; known once the items are in (inline) or the manifest has been scanned. */
  rowsTotal: z.optional(z.number().check(z.int(), z.minimum(0))),
  cursor: IngestCursor,
  /** Rows refused (bad, duplicate, open order elsewhere); applications are counted per status in `BatchCounts`. */
  rowsRefused: z.number().check(z.int(), z.minimum(0)),
  /** Bytes of report rows written so far (the parts), so the report can be streamed into one object. */
  reportBytes: z.number().check(z.int(), z.minimum(0)),
  reportKey: z.optional(z.string()),
  /** Ingestion executions started for this batch; names them `<batchId>-<n>`. */
  ingestRuns: z.number().check(z.int(), z.minimum(0)),
  /** Optimistic-lock counter; every write of the record checks and bumps it. */
  version: z.number().check(z.int(), z.minimum(1)),
  error: z.optional(BatchError),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** When every row was read and written, with the start requests of its reviews: ingestion's end (report written). */
  ingestedAt: z.optional(z.string()),
  /**
   * When the last review the ingestion requested was started (a batch that submits `immediately`): the starts go at
   * the system's StartExecution pace, after and apart from the ingestion.
   */
  reviewsStartedAt: z.optional(z.string()),
  /** When a batch held as drafts was released (`POST /v1/batches/{id}/submit`); it then submits like `immediately`. */
  releasedAt: z.optional(z.string()),
  completedAt: z.optional(z.string()),
});
export type Batch = z.infer<typeof Batch>;

/** Applications of a batch per status, summed over the counter shards. */
export type BatchCounts = Partial<Record<ApplicationStatus, number>>;

/** Applications of the batch not yet in a final status. */
export function openApplications(counts: BatchCounts): number {
  return Object.entries(counts)
    .filter(([status]) => !FINAL_STATUSES.has(status as ApplicationStatus))
    .reduce((sum, [, n]) => sum + (n ?? 0), 0);
}

export function acceptedRows(counts: BatchCounts): number {
  return Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
}

/** The batch is over when it is ingested and no row is still on its way: refused, or an application in a final status. */
export function isBatchSettled(batch: Batch, counts: BatchCounts): boolean {
  return (
    batch.status === 'ingested' &&
    openApplications(counts) === 0 &&
    acceptedRows(counts) + batch.rowsRefused === (batch.rowsTotal ?? batch.cursor.rows)
  );
}

/** What `GET /v1/batches/{id}` shows. */
export function batchView(batch: Batch, counts: BatchCounts) {
  const accepted = acceptedRows(counts);
  const total = batch.rowsTotal;
  const finished = accepted - openApplications(counts) + batch.rowsRefused;
  return {
    id: batch.id,
    status: batch.status,
    source: batch.source,
    submit: batch.submit,
    hold: batch.submit === 'hold',
    rows: {
      ...(total === undefined ? {} : { total }),
      processed: accepted + batch.rowsRefused,
      accepted,
      rejected: batch.rowsRefused,
    },
    // Every status, with 0 for none (fromEntries cannot know that the keys are all the statuses).
    counts: Object.fromEntries(ApplicationStatus.options.map((s) => [s, counts[s] ?? 0])) as Record<ApplicationStatus, number>,
    /** Rows that reached an end (refused, or an application in a final status), from 0 to 1. */
    progress: total ? Math.min(1, finished / total) : batch.status === 'completed' ? 1 : 0,
    reportAvailable: batch.reportKey !== undefined,
    ...(batch.error ? { error: batch.error } : {}),
    createdAt: batch.createdAt,
    updatedAt: batch.updatedAt,
    ...(batch.ingestedAt ? { ingestedAt: batch.ingestedAt } : {}),
    ...(batch.reviewsStartedAt ? { reviewsStartedAt: batch.reviewsStartedAt } : {}),
    ...(batch.releasedAt ? { releasedAt: batch.releasedAt } : {}),
    ...(batch.completedAt ? { completedAt: batch.completedAt } : {}),
  };
}
export type BatchView = ReturnType<typeof batchView>;

/** Evidence uploaded once and referenced by id from any row of the tenant's batches. */
export const SharedEvidence = z.object({
  evidenceId: z.string(),
  tenantId: z.string(),
  kind: EvidenceKind,
  contentType: EvidenceContentType,
  contentLength: z.number().check(z.int(), z.positive()),
  status: z.enum(['pending_upload', 'accepted', 'rejected']),
  objectKey: z.string(),
  sha256: z.optional(z.string()),
  rejectionReason: z.optional(z.string()),
  createdAt: z.string(),
  checkedAt: z.optional(z.string()),
});
export type SharedEvidence = z.infer<typeof SharedEvidence>;

/** One line of the report: a row that became an application, or a refused row with its errors. */
export type RowOutcome =
  | { row: number; filingNumber: string; outcome: 'created'; applicationId: string; status: ApplicationStatus; warnings: string[] }
  | { row: number; filingNumber: string; outcome: 'refused'; errors: { path: string; code: string; message: string }[] };
