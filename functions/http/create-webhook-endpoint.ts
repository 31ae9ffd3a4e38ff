import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json, parseBody } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { WebhookEndpointInput, createWebhookEndpoint } from '../../shared/use-cases/webhooks/manage-endpoints.ts';

/** POST /v1/webhook-endpoints with `{ url, eventTypes? }` → 201 `{ id, url, secret }` (the secret is shown once). */
export const handler = route('agency', tableDeps, async ({ event, principal, deps }) => {
  const input = parseBody(event, WebhookEndpointInput);
  return json(201, await createWebhookEndpoint(deps, principal, input));
});
