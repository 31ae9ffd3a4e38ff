import { compose } from '../../shared/adapters/deps/bound.ts';
import { metricsDeps } from '../../shared/adapters/deps/metrics-deps.ts';
import { registryDeps } from '../../shared/adapters/deps/registry-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { workflowDeps } from '../../shared/adapters/deps/workflow-deps.ts';
import { CorrectionInput } from '../../shared/domain/application.ts';
import { json, parseBody, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { applicationView } from '../../shared/use-cases/application-view.ts';
import { resubmitApplication } from '../../shared/use-cases/resubmit-application.ts';

/** POST /v1/applications/{id}/resubmit with optional corrected fields → 202; only after a rejection (else 409). */
export const handler = route('agency', compose(tableDeps, registryDeps, workflowDeps, metricsDeps), async ({ event, principal, deps }) => {
  const corrections = parseBody(event, CorrectionInput);
  const app = await resubmitApplication(deps, principal, pathParam(event, 'id'), corrections);
  return json(202, applicationView(app));
});
