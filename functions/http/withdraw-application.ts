import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { workflowDeps } from '../../shared/adapters/deps/workflow-deps.ts';
import { EmptyBody, json, parseBody, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { applicationView } from '../../shared/use-cases/application-view.ts';
import { withdrawApplication } from '../../shared/use-cases/withdraw-application.ts';

/** POST /v1/applications/{id}/withdraw → 200 withdrawn; 409 once the authority has the order. */
export const handler = route('agency', compose(tableDeps, workflowDeps), async ({ event, principal, deps }) => {
  parseBody(event, EmptyBody);
  return json(200, applicationView(await withdrawApplication(deps, principal, pathParam(event, 'id'))));
});
