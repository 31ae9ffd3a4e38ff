import { ConflictError, ForbiddenError, ValidationError } from '../domain/errors.ts';
import type { Application, Decision, Principal } from '../domain/records.ts';
import { RejectionReasonCode } from '../domain/rejection-reasons.ts';
import type { Deps } from '../ports/deps.ts';
import { loadOwnedApplication } from './load-owned-application.ts';

/**
 * Records the authority's decision on an application under review (operator scope).
 *
 * Primary course:
 * 1. The caller must hold the operator scope; a rejection's reason codes must be in the catalogue (400 listing the
 *    known codes otherwise: the customer gets the catalogue's fix hint for each); the application must be the
 *    tenant's and `under_review`, with no decision yet for the current attempt (else 409).
 * 2. Store the decision on the application first, so it survives whatever happens to the workflow.
 * 3. Resume the workflow's SubmitToAuthority task with it. A stale token is fine: a restarted workflow finds the
 *    stored decision when it asks the authority again.
 *
 * Alternative course: the same decision is recorded already for this review (the client sends it again, say after a
 * 5xx: the decision was stored, then the resume failed, Step Functions throttling it past the SDK's retries): resume
 * the workflow with it again (harmless if it was resumed: the token is stale then) and answer as the first time.
 * Before, the retry got 409 and the workflow waited on, the decision unapplied until the review's deadline passed
 * (20 business days; found by the chaos run). Another decision is still a 409.
 */
export async function recordDecision(
  deps: Pick<Deps, 'applications' | 'review' | 'clock'>,
  principal: Principal,
  applicationId: string,
  decision: Decision,
): Promise<Application> {
  assertOperator(principal, 'Recording a decision');
  assertKnownReasonCodes(decision);
  const app = await loadUnderReview(deps, principal, applicationId);
  if (app.decision?.attempt === app.attempt && sameDecision(app.decision.decision, decision)) {
    if (app.pendingTask?.step === 'review') await deps.review.resume(app.pendingTask.token, decision);
    return app;
  }
  assertUndecided(app);
  const next = await deps.applications.update(app, {
    decision: { attempt: app.attempt, decision, at: deps.clock.now().toISOString() },
  });
  if (app.pendingTask?.step === 'review') await deps.review.resume(app.pendingTask.token, decision);
  return next;
}

/** The same outcome, with the same reasons (code and message) in the same order. */
function sameDecision(a: Decision, b: Decision): boolean {
  if (a.outcome === 'approved' || b.outcome === 'approved') return a.outcome === b.outcome;
  return a.reasons.length === b.reasons.length && a.reasons.every((r, i) => r.code === b.reasons[i]?.code && r.message === b.reasons[i]?.message);
}

/** 403 unless the key has the operator scope (the authority's side: decisions, SMS notices). */
export function assertOperator(principal: Principal, what: string): void {
  if (!principal.scopes.includes('operator')) throw new ForbiddenError(`${what} needs an API key with the operator scope.`);
}

/** The tenant's application (404) that the authority holds: 409 when it is not under review. */
export async function loadUnderReview(deps: Pick<Deps, 'applications'>, principal: Principal, applicationId: string): Promise<Application> {
  const app = await loadOwnedApplication(deps, principal.tenantId, applicationId);
  if (app.status !== 'under_review') {
    throw new ConflictError(`The application is not under review (it is ${app.status}).`, {
      extensions: { applicationStatus: app.status },
    });
  }
  return app;
}

/** 409 when a decision was recorded already for the application's current review. */
export function assertUndecided(app: Application): void {
  if (app.decision?.attempt === app.attempt) {
    throw new ConflictError('A decision was already recorded for this review.', {
      extensions: { applicationStatus: app.status, outcome: app.decision.decision.outcome },
    });
  }
}

/** 400 for reason codes outside the catalogue, naming the codes that are. */
function assertKnownReasonCodes(decision: Decision): void {
  if (decision.outcome !== 'rejected') return;
  const known = RejectionReasonCode.options;
  const errors = decision.reasons.flatMap((reason, i) =>
    RejectionReasonCode.safeParse(reason.code).success
      ? []
      : [
          {
            path: `reasons.${i}.code`,
            code: 'unknown_rejection_code',
            message: `"${reason.code}" is not a rejection code; use one of ${known.join(', ')} (OTHER, with the authority's words as the message, for anything else).`,
          },
        ],
  );
  if (errors.length > 0) {
    throw new ValidationError('A rejection reason has an unknown code.', { errors, extensions: { rejectionCodes: known } });
  }
}
