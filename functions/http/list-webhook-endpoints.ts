import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { listWebhookEndpoints } from '../../shared/use-cases/webhooks/manage-endpoints.ts';

/** GET /v1/webhook-endpoints → the tenant's endpoints, without secrets. */
export const handler = route('any', tableDeps, async ({ principal, deps }) => json(200, { items: await listWebhookEndpoints(deps, principal) }));
