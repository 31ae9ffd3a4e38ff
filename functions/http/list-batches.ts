import { batchDeps } from '../../shared/adapters/deps/batch-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { listBatches } from '../../shared/use-cases/batches/read-batch.ts';

/** GET /v1/batches?limit=&cursor= → the tenant's batches, newest first, with their live counts. */
export const handler = route('any', compose(tableDeps, batchDeps), async ({ event, principal, deps }) => json(200, await listBatches(deps, principal, event.queryStringParameters ?? {})));
