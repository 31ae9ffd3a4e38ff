import { compose } from '../../shared/adapters/deps/bound.ts';
import { metricsDeps } from '../../shared/adapters/deps/metrics-deps.ts';
import { registryDeps } from '../../shared/adapters/deps/registry-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { ApplicationInput } from '../../shared/domain/application.ts';
import { idempotencyKey, json, parseBody } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { applicationView } from '../../shared/use-cases/application-view.ts';
import { createApplication } from '../../shared/use-cases/create-application.ts';

/** POST /v1/applications → 201 the draft (200-style replay with `Idempotent-Replayed: true` for a repeated key). */
export const handler = route('agency', compose(tableDeps, registryDeps, metricsDeps), async ({ event, principal, deps }) => {
  const input = parseBody(event, ApplicationInput);
  const key = idempotencyKey(event);
  const { app, created } = await createApplication(deps, principal, input, key ? { idempotencyKey: key } : {});
  return json(201, applicationView(app), {
    location: `/v1/applications/${app.id}`,
    ...(created ? {} : { 'idempotent-replayed': 'true' }),
  });
});
