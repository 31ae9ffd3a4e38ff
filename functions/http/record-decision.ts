import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { workflowDeps } from '../../shared/adapters/deps/workflow-deps.ts';
import { Decision } from '../../shared/domain/records.ts';
import { json, parseBody, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { applicationView } from '../../shared/use-cases/application-view.ts';
import { recordDecision } from '../../shared/use-cases/record-decision.ts';

/** POST /v1/reviews/{id}/decision (operator) with `{ outcome }` → 202; 409 when not under review. */
export const handler = route('operator', compose(tableDeps, workflowDeps), async ({ event, principal, deps }) => {
  const decision = parseBody(event, Decision);
  const app = await recordDecision(deps, principal, pathParam(event, 'id'), decision);
  return json(202, applicationView(app));
});
