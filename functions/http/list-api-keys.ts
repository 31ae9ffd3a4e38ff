import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { listApiKeys } from '../../shared/use-cases/api-keys.ts';

/** GET /v1/api-keys → the tenant's agency keys, newest first: prefix, status, dates; never a key or its hash. */
export const handler = route('agency', tableDeps, async ({ principal, deps }) => json(200, { items: await listApiKeys(deps, { by: 'tenant', principal }) }));
