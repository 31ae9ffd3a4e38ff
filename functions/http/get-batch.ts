import { makeBatchDeps } from '../../shared/adapters/make-batch-deps.ts';
import { json, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { getBatch } from '../../shared/use-cases/batches/read-batch.ts';

/** GET /v1/batches/{id} → the batch's status, rows and applications per status (404 for another tenant's). */
export const handler = route('any', async ({ event, principal }) => json(200, await getBatch(makeBatchDeps(), principal, pathParam(event, 'id'))));
