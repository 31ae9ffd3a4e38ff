import { ValidationError } from '../domain/errors.ts';
import type { Principal } from '../domain/records.ts';
import type { Deps } from '../ports/deps.ts';
import { applicationTimeline } from './application-timeline.ts';
import { applicationDetailView, applicationView } from './application-view.ts';
import { loadOwnedApplication } from './load-owned-application.ts';

/** One application with its evidence and full timeline. */
export async function getApplication(deps: Pick<Deps, 'applications'>, principal: Principal, id: string) {
  const app = await loadOwnedApplication(deps, principal.tenantId, id);
  const [evidence, timeline] = await Promise.all([deps.applications.listEvidence(app), applicationTimeline(deps, app)]);
  return applicationDetailView(app, evidence, timeline);
}

/** How many applications a page of `GET /v1/applications` holds, unless `?limit=` says (the API's document reads these). */
export const APPLICATION_PAGE = { defaultLimit: 50, maxLimit: 200 } as const;

/** The tenant's applications, newest first, a page at a time (optionally one batch's). */
export async function listApplications(
  deps: Pick<Deps, 'applications'>,
  principal: Principal,
  query: { limit?: string; cursor?: string; batchId?: string },
) {
  const limit = query.limit === undefined ? APPLICATION_PAGE.defaultLimit : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > APPLICATION_PAGE.maxLimit) {
    throw new ValidationError('limit is out of range.', {
      errors: [{ path: 'limit', code: 'out_of_range', message: 'Use a whole number from 1 to 200 (default 50).' }],
    });
  }
  const page = await deps.applications.list(principal.tenantId, {
    limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.batchId ? { batchId: query.batchId } : {}),
  });
  return { items: page.items.map((a) => applicationView(a)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}
