import { batchDeps } from '../../shared/adapters/deps/batch-deps.ts';
import { batchFileDeps } from '../../shared/adapters/deps/batch-file-deps.ts';
import { batchWorkflowDeps } from '../../shared/adapters/deps/batch-workflow-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { batchView, CreateBatchInput, MAX_BATCH_BODY_BYTES } from '../../shared/domain/batch.ts';
import { idempotencyKey, json, parseBody } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { createBatch } from '../../shared/use-cases/batches/create-batch.ts';

/**
 * POST /v1/batches → 202 an inline batch (ingesting), 201 a CSV batch with its manifest `upload`; a repeated
 * Idempotency-Key answers the same batch with `Idempotent-Replayed: true`.
 */
export const handler = route('agency', compose(tableDeps, batchDeps, batchFileDeps, batchWorkflowDeps), async ({ event, principal, deps }) => {
  const input = parseBody(event, CreateBatchInput, MAX_BATCH_BODY_BYTES);
  const key = idempotencyKey(event);
  const { batch, counts, created, upload } = await createBatch(deps, principal, input, key ? { idempotencyKey: key } : {});
  return json(batch.source === 'inline' ? 202 : 201, { ...batchView(batch, counts), ...(upload ? { upload } : {}) }, {
    location: `/v1/batches/${batch.id}`,
    ...(created ? {} : { 'idempotent-replayed': 'true' }),
  });
});
