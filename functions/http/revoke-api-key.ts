import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { EmptyBody, json, parseBody, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { revokeApiKey, revokedKeyBody } from '../../shared/use-cases/api-keys.ts';
import { KEY_CACHE_MS } from '../../shared/use-cases/authenticate.ts';

/**
 * POST /v1/api-keys/{id}/revoke → 200 the key, revoked (refused within the key cache's 30 s); harmless to repeat.
 * Revoking the key the request was made with is allowed, and said (`warnings`: `own_key_revoked`).
 */
export const handler = route('agency', tableDeps, async ({ event, principal, deps }) => {
  parseBody(event, EmptyBody);
  const revoked = await revokeApiKey(deps, { by: 'tenant', principal }, pathParam(event, 'id'));
  return json(200, revokedKeyBody(revoked, deps.settings.apiKeyCacheSeconds ?? KEY_CACHE_MS / 1000));
});
