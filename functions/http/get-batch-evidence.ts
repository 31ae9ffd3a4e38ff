import { makeBatchDeps } from '../../shared/adapters/make-batch-deps.ts';
import { json, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { getBatchEvidence } from '../../shared/use-cases/batches/batch-evidence.ts';

/** GET /v1/batch-evidence/{id} → the shared evidence file and its check (pending_upload, accepted, rejected). */
export const handler = route('any', async ({ event, principal }) => json(200, await getBatchEvidence(makeBatchDeps(), principal, pathParam(event, 'id'))));
