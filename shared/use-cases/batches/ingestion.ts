import type { Batch, RowOutcome } from '../../domain/batch.ts';
import { REPORT_HEADER, reportLine } from '../../domain/batch-manifest.ts';
import { log } from '../../log.ts';
import { METRIC_NAMES } from '../../observability/metric-names.ts';
import type { BatchDeps } from '../../ports/batch-services.ts';
import type { Deps } from '../../ports/deps.ts';
import { ConflictError } from '../../domain/errors.ts';
import { BatchMissingError, ManifestRejectedError } from './batch-errors.ts';
import { batchObjectKeys } from './batch-keys.ts';
import { ingestRows, type RowDeps } from './ingest-rows.ts';
import { readInlineRows, readManifestRows, type SourceRow, scanManifest } from './read-rows.ts';
import { settleBatch } from './settle-batch.ts';

/**
 * The tasks of the batch ingestion workflow (`infra/constructs/batch-ingestion-workflow.ts`):
 * Prepare → (IngestChunk)* → Finish → (StartReviews)*, any of them failing after its retries → Fail.
 *
 * Where ingestion stands is kept in the batch record (its cursor), not in the execution: each task reads it, does its
 * part and moves it on in one guarded write. A task that crashes or times out half-way is simply run again — by the
 * workflow's Retry, or by a new execution — and carries on from the last committed cursor; rows written by the
 * interrupted run are found (their application ids derive from the batch and the row) instead of written twice.
 */

export interface IngestionInput {
  batchId: string;
  tenantId: string;
}

export type IngestionDeps = RowDeps & Pick<BatchDeps, 'batchFiles' | 'batchSettings' | 'reviewStarter'>;

/**
 * How long one StartReviews task drains the batch's review starts before the workflow runs it again: well within its
 * function's timeout (`START_REVIEWS_TIMEOUT_SECONDS`), long enough that a 10,000-row batch at 300 a second takes a
 * couple of tasks.
 */
export const START_REVIEWS_BUDGET_MS = 60_000;
/** The StartReviews function's timeout (`infra/stacks/catalog.ts`): the drain's budget and the last block's starts. */
export const START_REVIEWS_TIMEOUT_SECONDS = 90;
/** How long a chunk may go on starting reviews while its rows are written (its function has five minutes). */
const CHUNK_DRAIN_BUDGET_MS = 240_000;

/** What the tasks around the chunks need: the batch record, its files, the clock (no rows, so no review starts). */
export type BatchFileTaskDeps = Pick<Deps, 'clock'> & Pick<BatchDeps, 'batches' | 'batchFiles'>;

const REPORT_CONTENT_TYPE = 'text/csv; charset=utf-8';

async function load(deps: Pick<BatchDeps, 'batches'>, input: IngestionInput): Promise<Batch> {
  const batch = await deps.batches.get(input.batchId);
  if (!batch || batch.tenantId !== input.tenantId) throw new BatchMissingError(`No batch ${input.batchId}.`);
  return batch;
}

/**
 * Prepare: for a manifest, read it through once (size, UTF-8, CSV, header, row count) and record its header, its row
 * count and where its first row starts. A manifest that cannot be read fails the batch here, before anything is
 * created.
 * @throws ManifestRejectedError (after recording the failure on the batch)
 */
export async function prepareIngestion(deps: BatchFileTaskDeps & Pick<BatchDeps, 'batchSettings'>, input: IngestionInput): Promise<{ done: boolean }> {
  let batch = await load(deps, input);
  if (batch.status !== 'ingesting') return { done: true };
  if (batch.source === 'csv' && batch.columns === undefined) {
    let scan: Awaited<ReturnType<typeof scanManifest>>;
    try {
      scan = await scanManifest(deps, batch);
    } catch (error) {
      if (error instanceof ManifestRejectedError) {
        const at = deps.clock.now().toISOString();
        await deps.batches.update(batch, {
          status: 'failed',
          error: { code: error.errors[0]?.code ?? 'manifest_rejected', message: error.message },
          updatedAt: at,
        });
      }
      throw error;
    }
    batch = await deps.batches.update(batch, {
      columns: scan.columns,
      rowsTotal: scan.rows,
      cursor: { rows: 0, byte: scan.dataStart, chunks: 0, done: false },
      updatedAt: deps.clock.now().toISOString(),
    });
  }
  return { done: batch.cursor.done };
}

/**
 * IngestChunk: the next rows from the cursor (at most `BATCH_CHUNK_ROWS`) become applications or refusals
 * (`ingestRows`); their report lines are written as one part; then the cursor, the refusal count and the report size
 * move on together, guarded by the batch's version, and the chunk's rows are counted (`BatchRowsIngested`: once the
 * cursor has moved past them, so a chunk run again after a crash counts its rows once).
 *
 * Meanwhile, for a batch that submits, the reviews its rows requested are started at the system's pace — only while
 * this chunk's rows are read and written, so that the starts never hold up the ingestion: once the rows are durable the
 * drain takes no more tokens and winds down (starts already due, the deletes of those started) while the report part
 * and the cursor are written; what is left waits for the next chunk or `startReviews`. A start that fails here is
 * logged and left to `startReviews`, which fails the workflow if it keeps failing.
 */
export async function ingestChunk(deps: IngestionDeps, input: IngestionInput): Promise<{ done: boolean; rows: number }> {
  const batch = await load(deps, input);
  if (batch.status !== 'ingesting' || batch.cursor.done) return { done: true, rows: batch.cursor.rows };
  let rowsWritten = false;
  const starting =
    batch.submit === 'immediately'
      ? deps.reviewStarter.drain({ batchId: batch.id, budgetMs: CHUNK_DRAIN_BUDGET_MS, until: () => rowsWritten }).catch((error: unknown) => {
          log.warn('review starts during the chunk failed; StartReviews takes them over', { batchId: batch.id, error });
        })
      : undefined;
  try {
    const limit = deps.batchSettings.chunkRows;
    let outcomes: RowOutcome[];
    let byte: number;
    let rows: SourceRow[];
    try {
      ({ rows, byte } = batch.source === 'csv' ? await readManifestRows(deps, batch, limit) : await readInlineRows(deps, batch, limit));
      outcomes = await ingestRows(deps, batch, rows);
    } finally {
      // The starts wind down (their last deletes) while the chunk's report part and cursor are written.
      rowsWritten = true;
    }
    const report = outcomes.map(reportLine).join('');
    await deps.batchFiles.put(batchObjectKeys.reportPart(batch.tenantId, batch.id, batch.cursor.chunks), report, REPORT_CONTENT_TYPE);
    const read = batch.cursor.rows + rows.length;
    const done = rows.length < limit || read >= (batch.rowsTotal ?? Number.POSITIVE_INFINITY);
    await deps.batches.update(batch, {
      cursor: { rows: read, byte, chunks: batch.cursor.chunks + 1, done },
      rowsRefused: batch.rowsRefused + outcomes.filter((o) => o.outcome === 'refused').length,
      reportBytes: batch.reportBytes + Buffer.byteLength(report),
      updatedAt: deps.clock.now().toISOString(),
    });
    deps.metrics.count(METRIC_NAMES.batchRowsIngested, rows.length);
    return { done, rows: read };
  } finally {
    // Whatever happened, the function returns only once its starts have settled (a Lambda is frozen when it returns).
    await starting;
  }
}

/**
 * Finish: the report parts become the report, the batch is `ingested`, and — if every row already reached an end
 * (all refused, say) — completed.
 */
export async function finishIngestion(deps: BatchFileTaskDeps, input: IngestionInput): Promise<{ status: Batch['status'] }> {
  let batch = await load(deps, input);
  if (batch.status === 'ingesting' && batch.cursor.done) {
    const reportKey = await writeReport(deps, batch);
    const at = deps.clock.now().toISOString();
    batch = await deps.batches.update(batch, { status: 'ingested', reportKey, rowsTotal: batch.cursor.rows, ingestedAt: at, updatedAt: at });
    log.info('batch ingested', { batchId: batch.id, rows: batch.cursor.rows, refused: batch.rowsRefused });
  }
  if (batch.status === 'ingested' && (await settleBatch(deps, batch.id))) return { status: 'completed' };
  return { status: batch.status };
}

/**
 * StartReviews (after Finish, again until done): starts the reviews the batch's rows requested that the chunks did not
 * get to, at the system's pace, for up to `START_REVIEWS_BUDGET_MS`. When none is left — started by this task, a chunk
 * or the sweep — a batch that submits records `reviewsStartedAt`, apart from `ingestedAt` (rows and their start
 * requests durable): how long the starts took beyond the ingestion.
 * @throws Error when a start keeps failing for another reason than throttling (the workflow retries, then fails)
 */
export async function startReviews(
  deps: Pick<Deps, 'clock'> & Pick<BatchDeps, 'batches' | 'reviewStarter'>,
  input: IngestionInput,
): Promise<{ done: boolean }> {
  const read = await load(deps, input);
  if (read.reviewsStartedAt) return { done: true };
  const { done, started } = await deps.reviewStarter.drain({ batchId: read.id, budgetMs: START_REVIEWS_BUDGET_MS });
  if (!done || read.submit !== 'immediately' || read.releasedAt) return { done };
  // The batch may have moved on meanwhile (settled, its counters): read it again and retry a lost race.
  for (let attempt = 1, batch = read; ; attempt++, batch = await load(deps, input)) {
    const at = deps.clock.now().toISOString();
    try {
      await deps.batches.update(batch, { reviewsStartedAt: at, updatedAt: at });
      log.info('batch reviews started', { batchId: batch.id, startedByThisTask: started, ingestedAt: batch.ingestedAt, reviewsStartedAt: at });
      return { done };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 5) throw error;
    }
  }
}

/**
 * Fail (reached through Catch when a task still fails after its retries): the batch is `failed`, with a report of the
 * rows ingested until then. Applications already created stay; a failure recorded by Prepare is kept as it is.
 */
export async function failIngestion(
  deps: BatchFileTaskDeps,
  input: IngestionInput & { error?: { Error?: string; Cause?: string } },
): Promise<void> {
  const batch = await load(deps, input);
  if (batch.status !== 'ingesting' && batch.status !== 'awaiting_upload') return;
  const reportKey = batch.cursor.chunks > 0 ? await writeReport(deps, batch) : undefined;
  const at = deps.clock.now().toISOString();
  const name = input.error?.Error ?? 'an unknown error';
  await deps.batches.update(batch, {
    status: 'failed',
    error: {
      code: 'ingestion_failed',
      message: `Ingestion stopped after ${batch.cursor.rows} of ${batch.rowsTotal ?? '?'} rows (${name}); the report lists the rows ingested before it.`,
    },
    ...(reportKey ? { reportKey } : {}),
    updatedAt: at,
  });
  log.error('batch ingestion failed', { batchId: batch.id, rows: batch.cursor.rows, error: input.error });
}

async function writeReport(deps: Pick<BatchDeps, 'batchFiles'>, batch: Batch): Promise<string> {
  const reportKey = batchObjectKeys.report(batch.tenantId, batch.id);
  const parts = Array.from({ length: batch.cursor.chunks }, (_, chunk) => batchObjectKeys.reportPart(batch.tenantId, batch.id, chunk));
  await deps.batchFiles.concat({ target: reportKey, header: REPORT_HEADER, parts, contentType: REPORT_CONTENT_TYPE });
  return reportKey;
}

