import { compose } from '../../shared/adapters/deps/bound.ts';
import { registryDeps } from '../../shared/adapters/deps/registry-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { header, json, rawBody } from '../../shared/http/api-gateway.ts';
import { readRegistryImport, REGISTRY_IMPORT_MAX_BYTES, REGISTRY_IMPORT_MEDIA_TYPES } from '../../shared/http/registry-import-body.ts';
import { route } from '../../shared/http/route.ts';
import { importFilingRegistry } from '../../shared/use-cases/filing-registry.ts';

/**
 * POST /v1/filing-registry with JSON `{ records: [...] }` or `text/csv` → 200 `{ rows, imported, rejected, errors }`
 * (per-row errors; the good rows are imported).
 */
export const handler = route('agency', compose(tableDeps, registryDeps), async ({ event, principal, deps }) => {
  const body = rawBody(event, REGISTRY_IMPORT_MAX_BYTES, REGISTRY_IMPORT_MEDIA_TYPES);
  const rows = readRegistryImport(header(event, 'content-type'), body);
  return json(200, await importFilingRegistry(deps, principal, rows));
});
