import { batchDeps } from '../../shared/adapters/deps/batch-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { getBatchEvidence } from '../../shared/use-cases/batches/batch-evidence.ts';

/** GET /v1/batch-evidence/{id} → the shared evidence file and its check (pending_upload, accepted, rejected). */
export const handler = route('any', compose(tableDeps, batchDeps), async ({ event, principal, deps }) => json(200, await getBatchEvidence(deps, principal, pathParam(event, 'id'))));
