import { type Batch, batchView, type BatchView } from '../../domain/batch.ts';
import { mapConcurrently } from '../../concurrency.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import type { Principal } from '../../domain/records.ts';
import type { BatchDeps } from '../../ports/batch-services.ts';
import type { Deps } from '../../ports/deps.ts';

/** The batch if it exists and is the tenant's; another tenant's batch is reported exactly like a missing one. */
export async function loadOwnedBatch(deps: Pick<BatchDeps, 'batches'>, tenantId: string, id: string): Promise<Batch> {
  const batch = await deps.batches.get(id);
  if (!batch || batch.tenantId !== tenantId) throw new NotFoundError(`No batch ${id}.`);
  return batch;
}

/** The batch with its live counts: rows read, accepted and refused, and its applications per status. */
export async function getBatch(deps: Pick<BatchDeps, 'batches'>, principal: Principal, id: string): Promise<BatchView> {
  const batch = await loadOwnedBatch(deps, principal.tenantId, id);
  return batchView(batch, await deps.batches.counts(batch.id));
}

/** How many batches a page of `GET /v1/batches` holds, unless `?limit=` says (the API's document reads these). */
export const BATCH_PAGE = { defaultLimit: 20, maxLimit: 100 } as const;

/** The tenant's batches, newest first, each with its live counts (`limit` 1–100, default 20; `cursor` from the last page). */
export async function listBatches(
  deps: Pick<BatchDeps, 'batches'>,
  principal: Principal,
  query: { limit?: string; cursor?: string },
): Promise<{ items: BatchView[]; nextCursor?: string }> {
  const limit = query.limit === undefined ? BATCH_PAGE.defaultLimit : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > BATCH_PAGE.maxLimit) {
    throw new ValidationError('limit is out of range.', {
      errors: [{ path: 'limit', code: 'out_of_range', message: 'Use a whole number from 1 to 100 (default 20).' }],
    });
  }
  const page = await deps.batches.list(principal.tenantId, { limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
  const items = await mapConcurrently(page.items, 8, async (batch) => batchView(batch, await deps.batches.counts(batch.id)));
  return { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

/**
 * A short-lived link to the batch's report (CSV, one line per row). The report is written when ingestion ends
 * (or, partial, when it failed): before that, 409 with the batch's status.
 */
export async function getBatchReport(
  deps: Pick<BatchDeps, 'batches' | 'batchFiles' | 'batchSettings'> & Pick<Deps, 'clock'>,
  principal: Principal,
  id: string,
): Promise<{ url: string; expiresAt: string; rows: number }> {
  const batch = await loadOwnedBatch(deps, principal.tenantId, id);
  if (!batch.reportKey) {
    throw new ConflictError(`The report is written once every row has been ingested; this batch is ${batch.status}.`, {
      extensions: { batchStatus: batch.status },
    });
  }
  const ttl = deps.batchSettings.urlTtlSeconds;
  const url = await deps.batchFiles.presignDownload({ key: batch.reportKey, fileName: `${batch.id}-report.csv`, expiresInSeconds: ttl });
  return { url, expiresAt: new Date(deps.clock.now().getTime() + ttl * 1000).toISOString(), rows: batch.cursor.rows };
}
