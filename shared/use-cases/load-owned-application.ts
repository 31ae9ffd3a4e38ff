import { NotFoundError } from '../domain/errors.ts';
import type { Application } from '../domain/records.ts';
import type { Deps } from '../ports/deps.ts';

/**
 * The application if it exists and belongs to the tenant. Another tenant's application is reported exactly like a
 * missing one, so ids cannot be probed across tenants.
 */
export async function loadOwnedApplication(deps: Pick<Deps, 'applications'>, tenantId: string, id: string): Promise<Application> {
  const app = await deps.applications.get(id);
  if (!app || app.tenantId !== tenantId) throw new NotFoundError(`No application ${id}.`);
  return app;
}
