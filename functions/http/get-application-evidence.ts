import { compose } from '../../shared/adapters/deps/bound.ts';
import { evidenceDeps } from '../../shared/adapters/deps/evidence-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { getApplicationEvidence } from '../../shared/use-cases/get-application-evidence.ts';

/**
 * GET /v1/applications/{id}/evidence/{evidenceId} → the evidence file with `download` (a presigned GET, minutes long).
 * Agency and operator keys alike: operators review the evidence beside the application's data.
 */
export const handler = route('any', compose(tableDeps, evidenceDeps), async ({ event, principal, deps }) =>
  json(200, await getApplicationEvidence(deps, principal, pathParam(event, 'id'), pathParam(event, 'evidenceId'))),
);
