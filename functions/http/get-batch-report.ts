import { makeBatchDeps } from '../../shared/adapters/make-batch-deps.ts';
import { json, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { getBatchReport } from '../../shared/use-cases/batches/read-batch.ts';

/** GET /v1/batches/{id}/report → `{ url, expiresAt, rows }` (a presigned GET of the CSV report), 409 until it exists. */
export const handler = route('any', async ({ event, principal, deps }) =>
  json(200, await getBatchReport({ ...deps, ...makeBatchDeps() }, principal, pathParam(event, 'id'))),
);
