import { compose } from '../../shared/adapters/deps/bound.ts';
import { registryDeps } from '../../shared/adapters/deps/registry-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { getFilingRecord } from '../../shared/use-cases/filing-registry.ts';

/** GET /v1/filing-registry/{filingNumber} → the tenant's record of that filing; 404 when it is not in the registry. */
export const handler = route('any', compose(tableDeps, registryDeps), async ({ event, principal, deps }) =>
  json(200, await getFilingRecord(deps, principal, pathParam(event, 'filingNumber'))),
);
