import type { ApiClient, BatchView } from './api-client.ts';
import { ApiError, CliError, UnreachableError } from './errors.ts';
import type { ProgressDisplay } from './progress.ts';

/** Batch stages before every row has been read and the report written. */
const INGESTING = new Set(['awaiting_upload', 'ingesting']);
const COMPLETED = 'completed';
const FAILED = 'failed';

/** True once the manifest has been read in full (the report exists). */
export function isIngested(batch: BatchView): boolean {
  return !INGESTING.has(batch.status) && batch.reportAvailable !== false;
}

/**
 * When watching ends: once every row has reached an end (`completed`); for a batch held as drafts, once the
 * manifest is ingested, since drafts wait for the agency and would never complete by themselves.
 */
export function isWatchOver(batch: BatchView, hold: boolean): boolean {
  return batch.status === COMPLETED || batch.status === FAILED || (hold && isIngested(batch));
}

export interface WatchOptions {
  hold: boolean;
  intervalMs: number;
  display: ProgressDisplay;
  sleep: (ms: number) => Promise<void>;
  /** Consecutive transient failures (unreachable, 429, 5xx) tolerated while polling. */
  maxTransientFailures?: number;
}

/** The error for a batch that ended `failed` (its manifest unreadable, or ingestion failing after its retries). */
export function batchFailed(batch: BatchView): CliError | undefined {
  return batch.status === FAILED ? new CliError(`Batch ${batch.id} failed: ${failureReason(batch)}`) : undefined;
}

/**
 * Polls the batch until `isWatchOver`, drawing the progress after every answer. A few consecutive transient failures
 * are ridden out (the local runtime restarting, a throttled API); a 4xx, or too many failures in a row, ends it.
 */
export async function watchBatch(client: ApiClient, id: string, options: WatchOptions): Promise<BatchView> {
  let failures = 0;
  for (;;) {
    let batch: BatchView;
    try {
      batch = await client.getBatch(id);
      failures = 0;
    } catch (error) {
      const transient = error instanceof UnreachableError || (error instanceof ApiError && error.transient);
      failures += 1;
      if (!transient || failures > (options.maxTransientFailures ?? 5)) {
        options.display.interrupt();
        throw error;
      }
      await options.sleep(options.intervalMs * 2 ** Math.min(failures, 4));
      continue;
    }
    if (isWatchOver(batch, options.hold || batch.hold === true)) {
      options.display.finish(batch);
      return batch;
    }
    options.display.update(batch);
    await options.sleep(options.intervalMs);
  }
}

function failureReason(batch: BatchView): string {
  const error = batch.error;
  if (error?.message) return `${error.message}${error.code ? ` (${error.code})` : ''}`;
  return 'the API gives no reason; see `icp-cancel batch status`.';
}
