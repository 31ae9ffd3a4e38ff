import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { RotationInput } from '../../shared/domain/api-key.ts';
import { idempotencyKey, json, parseBody, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { rotateApiKey, rotatedKeyBody } from '../../shared/use-cases/api-keys.ts';

/**
 * POST /v1/api-keys/{id}/rotate with `{ overlapSeconds? }` (default a day) → 201 the new key's view with `key` (shown
 * once) and `previous`, the old key with the `expiresAt` the overlap gave it; both work until then.
 */
export const handler = route('agency', tableDeps, async ({ event, principal, deps }) => {
  const input = parseBody(event, RotationInput);
  const repeat = idempotencyKey(event);
  const rotated = await rotateApiKey(deps, { by: 'tenant', principal }, pathParam(event, 'id'), input, repeat ? { idempotencyKey: repeat } : {});
  return json(201, rotatedKeyBody(rotated), rotated.created ? {} : { 'idempotent-replayed': 'true' });
});
