import { compose } from '../../shared/adapters/deps/bound.ts';
import { evidenceDeps } from '../../shared/adapters/deps/evidence-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json, parseBody, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { EvidenceUploadInput, createEvidenceUpload } from '../../shared/use-cases/create-evidence-upload.ts';

/** POST /v1/applications/{id}/evidence → 201 `{ evidenceId, uploadUrl, expiresAt }` (a presigned PUT). */
export const handler = route('agency', compose(tableDeps, evidenceDeps), async ({ event, principal, deps }) => {
  const input = parseBody(event, EvidenceUploadInput);
  return json(201, await createEvidenceUpload(deps, principal, pathParam(event, 'id'), input));
});
