import type { CorrectionInput } from '../domain/application.ts';
import { ConflictError } from '../domain/errors.ts';
import { requiredEvidence } from '../domain/evidence-matrix.ts';
import type { Application, Principal } from '../domain/records.ts';
import { changeStatus } from '../domain/status-change.ts';
import type { Deps } from '../ports/deps.ts';
import { missingEvidence } from './application-view.ts';
import { loadOwnedApplication } from './load-owned-application.ts';
import { assertEvidenceComplete } from './submit-application.ts';

/**
 * Resubmits a rejected application, with corrected fields.
 *
 * Primary course:
 * 1. The application must be the tenant's and `rejected` (awaiting correction).
 * 2. Apply the corrections; the evidence needed may change with them and must be complete.
 * 3. In one transaction: rejected → submitted with the next attempt number, timeline entry, `application.submitted`.
 * 4. Resume the workflow waiting for the correction. If its token is stale (or not stored yet), the workflow's
 *    AwaitCorrection task sees the new status itself and goes on.
 */
export async function resubmitApplication(
  deps: Pick<Deps, 'applications' | 'review' | 'clock' | 'ids'>,
  principal: Principal,
  applicationId: string,
  corrections: CorrectionInput,
): Promise<Application> {
  const app = await loadOwnedApplication(deps, principal.tenantId, applicationId);
  if (app.status !== 'rejected') {
    throw new ConflictError(`Only a rejected application can be resubmitted; this one is ${app.status}.`, {
      extensions: { status: app.status },
    });
  }
  const corrected = { ...app, ...corrections };
  const required = requiredEvidence(corrected);
  const candidate: Application = { ...corrected, requiredEvidence: required };
  assertEvidenceComplete(candidate, missingEvidence(candidate, await deps.applications.listEvidence(app.id)));

  const fields = Object.keys(corrections);
  const change = changeStatus(app, {
    to: 'submitted',
    detail: fields.length > 0 ? `Resubmitted with corrections to ${fields.join(', ')}` : 'Resubmitted',
    at: deps.clock.now().toISOString(),
    eventId: deps.ids.next('evt'),
    set: {
      ...corrections,
      requiredEvidence: required,
      attempt: app.attempt + 1,
      rejectionReasons: [],
      pendingTask: undefined,
      decision: undefined,
    },
  });
  await deps.applications.applyStatusChange(change);
  if (app.pendingTask?.step === 'correction') await deps.review.resume(app.pendingTask.token, { resubmitted: true });
  return change.next;
}
