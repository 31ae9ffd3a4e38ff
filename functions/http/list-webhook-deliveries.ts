import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { listDeliveries } from '../../shared/use-cases/webhooks/deliveries.ts';

/** GET /v1/webhook-endpoints/{id}/deliveries?limit=&cursor= → the endpoint's delivery log, newest first. */
export const handler = route('any', tableDeps, async ({ event, principal, deps }) =>
  json(200, await listDeliveries(deps, principal, pathParam(event, 'id'), event.queryStringParameters ?? {})),
);
