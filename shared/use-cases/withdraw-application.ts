import { ConflictError } from '../domain/errors.ts';
import type { Application, Principal } from '../domain/records.ts';
import { changeStatus } from '../domain/status-change.ts';
import type { Deps } from '../ports/deps.ts';
import { loadOwnedApplication } from './load-owned-application.ts';
import { reviewRunName } from './submit-application.ts';

/** Statuses from which an application may be withdrawn: the authority does not hold the order. */
const WITHDRAWABLE = new Set<Application['status']>(['draft', 'submitted', 'rejected']);

/**
 * Withdraws an application, which frees its filing for a new order.
 *
 * Primary course:
 * 1. The application must be the tenant's, and the authority must not have the order: a draft, one submitted but not
 *    yet handed over, or one rejected and awaiting correction. Once under review it cannot be withdrawn (409): a
 *    cancellation the authority holds is irreversible (DOMAIN.md rule 5).
 * 2. In one transaction: → withdrawn, timeline entry, `application.withdrawn`, the filing's open-order guard released.
 *    The status guard makes this lose cleanly against a workflow step handing the order over at the same moment.
 * 3. Stop the review run, if there is one.
 */
export async function withdrawApplication(
  deps: Pick<Deps, 'applications' | 'review' | 'clock' | 'ids'>,
  principal: Principal,
  applicationId: string,
): Promise<Application> {
  const app = await loadOwnedApplication(deps, principal.tenantId, applicationId);
  if (!WITHDRAWABLE.has(app.status)) {
    throw new ConflictError(
      app.status === 'under_review'
        ? 'The authority has the order: a cancellation under review cannot be withdrawn.'
        : `The application is ${app.status}; there is nothing to withdraw.`,
      { extensions: { applicationStatus: app.status } },
    );
  }
  const change = changeStatus(app, {
    to: 'withdrawn',
    detail: 'Withdrawn by the agency',
    at: deps.clock.now().toISOString(),
    eventId: deps.ids.next('evt'),
    set: { pendingTask: undefined },
  });
  await deps.applications.applyStatusChange(change);
  if (app.workflowRuns > 0) await deps.review.stop({ name: reviewRunName(app), cause: 'Withdrawn by the agency' });
  return change.next;
}
