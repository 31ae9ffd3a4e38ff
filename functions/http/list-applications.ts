import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { listApplications } from '../../shared/use-cases/read-applications.ts';

/** GET /v1/applications?limit=&cursor=&batchId= → the tenant's applications, newest first. */
export const handler = route('any', tableDeps, async ({ event, principal, deps }) =>
  json(200, await listApplications(deps, principal, event.queryStringParameters ?? {})),
);
