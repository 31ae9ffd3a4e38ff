import { batchDeps } from '../../shared/adapters/deps/batch-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { getBatch } from '../../shared/use-cases/batches/read-batch.ts';

/** GET /v1/batches/{id} → the batch's status, rows and applications per status (404 for another tenant's). */
export const handler = route('any', compose(tableDeps, batchDeps), async ({ event, principal, deps }) => json(200, await getBatch(deps, principal, pathParam(event, 'id'))));
