import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { workflowDeps } from '../../shared/adapters/deps/workflow-deps.ts';
import { EmptyBody, json, parseBody, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { redeliver } from '../../shared/use-cases/webhooks/deliveries.ts';

/** POST /v1/webhook-deliveries/{id}/redeliver → 202, a new run of attempts; 409 while one is under way. */
export const handler = route('agency', compose(tableDeps, workflowDeps), async ({ event, principal, deps }) => {
  parseBody(event, EmptyBody);
  return json(202, await redeliver(deps, principal, pathParam(event, 'id')));
});
