import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { EmptyBody, json, parseBody, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { rotateWebhookSecret } from '../../shared/use-cases/webhooks/manage-endpoints.ts';

/** POST /v1/webhook-endpoints/{id}/rotate-secret → 200 with the new secret; the old one signs too for 24 hours. */
export const handler = route('agency', tableDeps, async ({ event, principal, deps }) => {
  parseBody(event, EmptyBody);
  return json(200, await rotateWebhookSecret(deps, principal, pathParam(event, 'id')));
});
