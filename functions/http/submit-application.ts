import { compose } from '../../shared/adapters/deps/bound.ts';
import { metricsDeps } from '../../shared/adapters/deps/metrics-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { workflowDeps } from '../../shared/adapters/deps/workflow-deps.ts';
import { EmptyBody, json, parseBody, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { applicationView } from '../../shared/use-cases/application-view.ts';
import { submitApplication } from '../../shared/use-cases/submit-application.ts';

/** POST /v1/applications/{id}/submit → 202; 422 naming missing evidence; 409 if not a draft. */
export const handler = route('agency', compose(tableDeps, workflowDeps, metricsDeps), async ({ event, principal, deps }) => {
  parseBody(event, EmptyBody);
  const app = await submitApplication(deps, principal, pathParam(event, 'id'));
  return json(202, applicationView(app));
});
