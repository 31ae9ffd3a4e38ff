import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { getDelivery } from '../../shared/use-cases/webhooks/deliveries.ts';

/** GET /v1/webhook-deliveries/{id} → one delivery and its attempt log. */
export const handler = route('any', tableDeps, async ({ event, principal, deps }) => json(200, await getDelivery(deps, principal, pathParam(event, 'id'))));
