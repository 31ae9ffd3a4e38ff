import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { getApplication } from '../../shared/use-cases/read-applications.ts';

/** GET /v1/applications/{id} → status, attempts, reasons, evidence and the full timeline. */
export const handler = route('any', tableDeps, async ({ event, principal, deps }) =>
  json(200, await getApplication(deps, principal, pathParam(event, 'id'))),
);
