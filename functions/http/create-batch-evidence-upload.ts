import { batchDeps } from '../../shared/adapters/deps/batch-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { evidenceDeps } from '../../shared/adapters/deps/evidence-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json, parseBody } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { createBatchEvidenceUpload } from '../../shared/use-cases/batches/batch-evidence.ts';
import { EvidenceUploadInput } from '../../shared/use-cases/create-evidence-upload.ts';

/** POST /v1/batch-evidence → 201 `{ evidenceId, uploadUrl, method, headers, expiresAt }`: shared evidence for batch rows. */
export const handler = route('agency', compose(tableDeps, evidenceDeps, batchDeps), async ({ event, principal, deps }) => {
  const input = parseBody(event, EvidenceUploadInput);
  return json(201, await createBatchEvidenceUpload(deps, principal, input));
});
