import { makeBatchDeps } from '../../shared/adapters/make-batch-deps.ts';
import { json } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { listBatches } from '../../shared/use-cases/batches/read-batch.ts';

/** GET /v1/batches?limit=&cursor= → the tenant's batches, newest first, with their live counts. */
export const handler = route('any', async ({ event, principal }) => json(200, await listBatches(makeBatchDeps(), principal, event.queryStringParameters ?? {})));
