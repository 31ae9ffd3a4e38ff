import type { ApplicationInput, CorrectionInput } from '../domain/application.ts';
import { ConflictError } from '../domain/errors.ts';
import { requiredEvidence } from '../domain/evidence-matrix.ts';
import type { Application, PendingTask, Principal } from '../domain/records.ts';
import { changeStatus, type StatusChange } from '../domain/status-change.ts';
import { METRIC_NAMES } from '../observability/metric-names.ts';
import type { Deps } from '../ports/deps.ts';
import { missingEvidence } from './application-view.ts';
import { loadOwnedApplication } from './load-owned-application.ts';
import { canonicalJson } from './create-application.ts';
import { assertEvidenceComplete } from './submit-application.ts';
import { assertValidApplication, validateApplication } from './validate-application.ts';
import { reviewDeadlineFor } from './workflow/review-timeouts.ts';

/**
 * Resubmits a rejected application, with corrected fields.
 *
 * Primary course:
 * 1. The application must be the tenant's and `rejected` (awaiting correction).
 * 2. Apply the corrections and validate the result against the ICP rules as at creation (`validateApplication`: 400
 *    field errors and kind rules, 422 registry mismatches); identifiers are stored in canonical form.
 * 3. The evidence needed may change with the corrections and must be complete.
 * 4. In one transaction: rejected → submitted with the next attempt number, a new review deadline, timeline entry,
 *    `application.submitted`; counted as a submission (`ApplicationsSubmitted`).
 * 5. Resume the workflow waiting for the correction. If its token is stale (or not stored yet), the workflow's
 *    AwaitCorrection task sees the new status itself and goes on.
 *
 * Alternative courses:
 * - The application changed between the read and the write (the workflow stored its correction token meanwhile): read
 *   it again and redo 1–4, a few times at most.
 * - The same resubmission again (the client sends it again, say after a 5xx: the change was committed, then the
 *   resume failed, Step Functions throttling it past the SDK's retries): the application is `submitted` for this
 *   attempt, the correction token still on it (the workflow has not taken it up), and the corrections change nothing
 *   of it. Resume the workflow again and answer as the first time. Before, the retry got 409 and the application
 *   stayed `submitted`, its review not running, until the correction window ran out (14 days). The token stays on the
 *   application until the workflow stores its next one, for this.
 */
export async function resubmitApplication(
  deps: Pick<Deps, 'applications' | 'registry' | 'review' | 'clock' | 'ids' | 'settings' | 'metrics'>,
  principal: Principal,
  applicationId: string,
  corrections: CorrectionInput,
): Promise<Application> {
  // The workflow's AwaitCorrection task stores its token on the application right after the rejection: a
  // resubmission that read the application before that write loses the version check, and reads again.
  for (let tries = 1; ; tries++) {
    const app = await loadOwnedApplication(deps, principal.tenantId, applicationId);
    if (await isReplay(deps, principal, app, corrections)) {
      await deps.review.resume((app.pendingTask as PendingTask).token, { resubmitted: true });
      return app;
    }
    const change = await resubmission(deps, app, principal, corrections);
    try {
      await deps.applications.applyStatusChange(change);
    } catch (error) {
      if (error instanceof ConflictError && tries < MAX_TRIES) continue;
      throw error;
    }
    deps.metrics.count(METRIC_NAMES.applicationsSubmitted);
    const token = change.previous.pendingTask;
    if (token?.step === 'correction') await deps.review.resume(token.token, { resubmitted: true });
    return change.next;
  }
}

const MAX_TRIES = 3;

/**
 * Whether `corrections` were applied already by a resubmission whose workflow has not taken them up: the application
 * `submitted` for the attempt after the one its kept correction token was for, and the corrected input, validated, the
 * application's own.
 */
async function isReplay(deps: Pick<Deps, 'registry' | 'clock'>, principal: Principal, app: Application, corrections: CorrectionInput): Promise<boolean> {
  const token = app.pendingTask;
  if (app.status !== 'submitted' || token?.step !== 'correction' || token.attempt !== app.attempt - 1) return false;
  const validation = await validateApplication(deps, principal.tenantId, inputOf({ ...app, ...corrections }));
  return validation.errors.length === 0 && canonicalJson(validation.input) === canonicalJson(inputOf(app));
}

/** Steps 1–3: the status change a resubmission makes, from a fresh read of the application. */
async function resubmission(
  deps: Pick<Deps, 'applications' | 'registry' | 'clock' | 'ids' | 'settings'>,
  app: Application,
  principal: Principal,
  corrections: CorrectionInput,
): Promise<StatusChange> {
  if (app.status !== 'rejected') {
    throw new ConflictError(`Only a rejected application can be resubmitted; this one is ${app.status}.`, {
      extensions: { applicationStatus: app.status },
    });
  }
  const validation = await validateApplication(deps, principal.tenantId, inputOf({ ...app, ...corrections }));
  assertValidApplication(validation);
  const corrected = { ...app, ...validation.input };
  const required = requiredEvidence(corrected, deps.settings.evidencePolicy);
  const candidate: Application = { ...corrected, requiredEvidence: required };
  assertEvidenceComplete(candidate, missingEvidence(candidate, await deps.applications.listEvidence(app)));

  const now = deps.clock.now();
  const fields = Object.keys(corrections);
  return changeStatus(app, {
    to: 'submitted',
    detail: fields.length > 0 ? `Resubmitted with corrections to ${fields.join(', ')}` : 'Resubmitted',
    at: now.toISOString(),
    eventId: deps.ids.next('evt'),
    set: {
      ...validation.input,
      warnings: validation.warnings,
      requiredEvidence: required,
      attempt: app.attempt + 1,
      reviewDeadline: reviewDeadlineFor(app.kind, now),
      rejectionReasons: [],
      // The correction token stays until the workflow stores its next one: a replay of this call resumes it again.
      decision: undefined,
    },
  });
}

/** The submitted fields of an application (what validation looks at). */
function inputOf(app: Application): ApplicationInput {
  const { kind, filingNumber, websiteName, domains, subject, reason, siteState, customerRef } = app;
  return { kind, filingNumber, websiteName, domains, subject, reason, siteState, ...(customerRef === undefined ? {} : { customerRef }) };
}
