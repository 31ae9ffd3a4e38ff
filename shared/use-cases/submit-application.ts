import { ConflictError, UnprocessableError } from '../domain/errors.ts';
import type { Application, Principal } from '../domain/records.ts';
import { changeStatus } from '../domain/status-change.ts';
import { METRIC_NAMES } from '../observability/metric-names.ts';
import type { Deps } from '../ports/deps.ts';
import { reviewExecution } from '../ports/execution-starts.ts';
import { missingEvidence } from './application-view.ts';
import { loadOwnedApplication } from './load-owned-application.ts';
import { reviewDeadlineFor } from './workflow/review-timeouts.ts';

/** The review execution name of an application's n-th run: unique per run, the same when a start is retried. */
export function reviewRunName(app: Application): string {
  return `${app.id}-${app.workflowRuns}`;
}

/** 422 listing the evidence kinds that still lack an accepted file. */
export function assertEvidenceComplete(app: Application, missing: string[]): void {
  if (missing.length === 0) return;
  throw new UnprocessableError(`Evidence is missing: ${missing.join(', ')}.`, {
    errors: missing.map((kind) => ({
      path: `evidence.${kind}`,
      code: 'evidence_missing',
      message: `Upload a ${kind} file (POST /v1/applications/${app.id}/evidence) and wait until it is accepted.`,
    })),
    extensions: { missingEvidence: missing },
  });
}

/**
 * Submits a draft for review.
 *
 * Primary course:
 * 1. The application must be the tenant's draft, with every required evidence kind accepted (else 422 naming them).
 * 2. In one transaction: draft → submitted with the review deadline (business days from today, China time), timeline
 *    entry, `application.submitted` event, and the durable request to start the review.
 * 3. Start the review execution (at the system's pace; else the sweep does), named after the run, so a retried
 *    submit joins the same execution.
 *
 * Alternative course: the application is already `submitted` (an earlier call committed but could not start the
 * workflow, or the client retried): start the same run again, which is idempotent.
 */
export async function submitApplication(
  deps: Pick<Deps, 'applications' | 'review' | 'clock' | 'ids' | 'metrics'>,
  principal: Principal,
  applicationId: string,
): Promise<Application> {
  const app = await loadOwnedApplication(deps, principal.tenantId, applicationId);
  if (app.status === 'draft') {
    assertEvidenceComplete(app, missingEvidence(app, await deps.applications.listEvidence(app)));
    return submitDraft(deps, app);
  }
  if (!(app.status === 'submitted' && app.attempt === 1)) {
    throw new ConflictError(`Only a draft can be submitted; this application is ${app.status}.`, {
      extensions: { applicationStatus: app.status },
    });
  }
  await deps.review.start({ applicationId: app.id, tenantId: app.tenantId, name: reviewRunName(app) });
  return app;
}

/** The timeline's words for a submission: a submission read off the application (`submissionEntry`) says the same. */
export const SUBMISSION_DETAIL = 'Submitted for review';

/**
 * Submits `draft` as read (its evidence checked by the caller): draft → submitted in one transaction with the request
 * to start its review (counted: `ApplicationsSubmitted`), then the review started. Of several callers holding the same
 * read, one wins; the others get ConflictError.
 */
export async function submitDraft(
  deps: Pick<Deps, 'applications' | 'review' | 'clock' | 'ids' | 'metrics'>,
  draft: Application,
): Promise<Application> {
  const now = deps.clock.now();
  const change = changeStatus(draft, {
    to: 'submitted',
    detail: SUBMISSION_DETAIL,
    at: now.toISOString(),
    eventId: deps.ids.next('evt'),
    set: { workflowRuns: draft.workflowRuns + 1, reviewDeadline: reviewDeadlineFor(draft.kind, now) },
  });
  const app = change.next;
  const run = { applicationId: app.id, tenantId: app.tenantId, name: reviewRunName(app) };
  // The review's start request is written with the change: should this process die before the start, the sweep starts
  // it (before, a submitted application then waited for the customer to submit again).
  await deps.applications.applyStatusChange(change, { start: reviewExecution(run) });
  deps.metrics.count(METRIC_NAMES.applicationsSubmitted);
  await deps.review.start(run, { requested: true });
  return app;
}
