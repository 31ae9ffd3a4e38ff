import type { Batch } from '../../domain/batch.ts';
import { ConflictError } from '../../domain/errors.ts';
import { log } from '../../log.ts';
import type { BatchDeps } from '../../ports/batch-services.ts';
import type { Deps } from '../../ports/deps.ts';
import { ingestionRunName, parseManifestKey } from './batch-keys.ts';

type StartDeps = Pick<Deps, 'clock'> & Pick<BatchDeps, 'batches' | 'ingestion'>;

/**
 * A manifest landed in S3 (ObjectCreated under `batch-manifests/`): the batch it belongs to starts ingesting.
 *
 * Primary course:
 * 1. Find the batch from the object key; ignore keys that are not a manifest of a batch waiting for one.
 * 2. `awaiting_upload` → `ingesting`, pinned to the uploaded object's version (when the bucket versions objects, a
 *    later upload to the same URL cannot change what is read), with its first ingestion run.
 * 3. Start that run. S3 may deliver the event twice: the second finds the batch ingesting and starts the same run,
 *    which joins it.
 */
export async function manifestUploaded(deps: StartDeps, input: { key: string; versionId?: string }): Promise<'started' | 'ignored'> {
  const ids = parseManifestKey(input.key);
  if (!ids) return 'ignored';
  let batch = await deps.batches.get(ids.batchId);
  if (!batch || batch.tenantId !== ids.tenantId) return 'ignored';
  if (batch.status === 'awaiting_upload') {
    try {
      batch = await deps.batches.update(batch, {
        status: 'ingesting',
        ingestRuns: batch.ingestRuns + 1,
        ...(input.versionId && input.versionId !== 'null' ? { inputVersion: input.versionId } : {}),
        updatedAt: deps.clock.now().toISOString(),
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      batch = (await deps.batches.get(ids.batchId)) as Batch;
    }
  } else if (batch.status === 'ingesting') {
    log.info('manifest event for a batch already ingesting', { batchId: batch.id });
  } else {
    log.warn('manifest uploaded again after ingestion; ignored', { batchId: batch.id, status: batch.status });
    return 'ignored';
  }
  await deps.ingestion.start({ batchId: batch.id, tenantId: batch.tenantId, name: ingestionRunName(batch) });
  return 'started';
}

/**
 * Starts a new ingestion run of a batch that is still ingesting but whose run is gone (on the local runtime, whose
 * executions live in memory, after a restart; in AWS, after an execution ended without finishing). It carries on
 * from the batch's committed cursor.
 */
export async function restartIngestion(deps: StartDeps, batch: Batch): Promise<void> {
  if (batch.status !== 'ingesting') return;
  const next = await deps.batches.update(batch, { ingestRuns: batch.ingestRuns + 1, updatedAt: deps.clock.now().toISOString() });
  await deps.ingestion.start({ batchId: next.id, tenantId: next.tenantId, name: ingestionRunName(next) });
}
