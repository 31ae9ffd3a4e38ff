import { batchDeps } from '../../shared/adapters/deps/batch-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { metricsDeps } from '../../shared/adapters/deps/metrics-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { workflowDeps } from '../../shared/adapters/deps/workflow-deps.ts';
import { json, parseBody, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { BatchRelease, releaseBatch } from '../../shared/use-cases/batches/release-batch.ts';

/** POST /v1/batches/{id}/submit with `{ cursor? }` → one page of the batch's drafts submitted (or marked to be). */
export const handler = route('agency', compose(tableDeps, batchDeps, workflowDeps, metricsDeps), async ({ event, principal, deps }) =>
  json(200, await releaseBatch(deps, principal, pathParam(event, 'id'), parseBody(event, BatchRelease))),
);
