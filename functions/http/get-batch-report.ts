import { batchDeps } from '../../shared/adapters/deps/batch-deps.ts';
import { batchFileDeps } from '../../shared/adapters/deps/batch-file-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { getBatchReport } from '../../shared/use-cases/batches/read-batch.ts';

/** GET /v1/batches/{id}/report → `{ url, expiresAt, rows }` (a presigned GET of the CSV report), 409 until it exists. */
export const handler = route('any', compose(tableDeps, batchDeps, batchFileDeps), async ({ event, principal, deps }) =>
  json(200, await getBatchReport(deps, principal, pathParam(event, 'id'))),
);
