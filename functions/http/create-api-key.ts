import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { ApiKeyInput } from '../../shared/domain/api-key.ts';
import { idempotencyKey, json, parseBody } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { createApiKey, issuedKeyBody } from '../../shared/use-cases/api-keys.ts';

/**
 * POST /v1/api-keys with `{ name?, scope? }` (agency only) → 201 the key's view with `key`, shown this once; a repeated
 * Idempotency-Key answers the same key without `key` (it is not stored), with `Idempotent-Replayed: true`.
 */
export const handler = route('agency', tableDeps, async ({ event, principal, deps }) => {
  const input = parseBody(event, ApiKeyInput);
  const repeat = idempotencyKey(event);
  const issued = await createApiKey(deps, { by: 'tenant', principal }, input, repeat ? { idempotencyKey: repeat } : {});
  return json(201, issuedKeyBody(issued), issued.created ? {} : { 'idempotent-replayed': 'true' });
});
