import { FINAL_STATUSES } from '../../domain/application.ts';
import { ConflictError } from '../../domain/errors.ts';
import type { Application } from '../../domain/records.ts';
import { changeStatus, eventFor } from '../../domain/status-change.ts';
import { log } from '../../log.ts';
import { METRIC_NAMES } from '../../observability/metric-names.ts';
import type { Deps } from '../../ports/deps.ts';
import { reviewRunName } from '../submit-application.ts';
import { type WorkflowView, workflowView } from './review-timeouts.ts';
import { ApplicationMissingError, WorkflowStateError } from './workflow-errors.ts';

/**
 * The review workflow's tasks (see `infra/constructs/review-workflow.ts`). Each is idempotent: Step Functions may run a
 * task twice (retries), and a restarted execution re-enters at the step the stored status says.
 */

export interface TaskInput {
  applicationId: string;
  tenantId: string;
}
export interface TokenTaskInput extends TaskInput {
  taskToken: string;
}

type TaskDeps = Pick<Deps, 'applications' | 'clock' | 'ids' | 'settings'>;

async function load(deps: Pick<Deps, 'applications'>, input: TaskInput): Promise<Application> {
  const app = await deps.applications.get(input.applicationId);
  if (!app || app.tenantId !== input.tenantId) throw new ApplicationMissingError(`No application ${input.applicationId}.`);
  return app;
}

/** Retries a read-modify-write that lost a race with an HTTP call (a decision or resubmission arriving meanwhile). */
async function withFreshRead<T>(deps: Pick<Deps, 'applications'>, input: TaskInput, fn: (app: Application) => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await fn(await load(deps, input));
    } catch (error) {
      if (!(error instanceof ConflictError) || tries >= 5) throw error;
    }
  }
}

/** LoadApplication: where the application stands, and how long the waits may last. */
export async function loadApplicationTask(deps: TaskDeps, input: TaskInput): Promise<WorkflowView> {
  return workflowView(await load(deps, input), deps.settings, deps.clock.now());
}

/** ProbeSite: does the website still answer? Recorded on the application; the authority rejects a live site. */
export async function probeSiteTask(deps: TaskDeps & Pick<Deps, 'prober'>, input: TaskInput): Promise<{ reachable: boolean }> {
  const app = await load(deps, input);
  const probe = await deps.prober.probe(app.domains);
  await withFreshRead(deps, input, (fresh) =>
    deps.applications.update(fresh, { probe: { ...probe, checkedAt: deps.clock.now().toISOString() } }),
  );
  return { reachable: probe.reachable };
}

/**
 * SubmitToAuthority (waits for a token): submitted → under_review with the token stored, then the order goes to the
 * authority. Entered again while under review (SLA passed, or a restarted execution), it stores the fresh token; if a
 * decision was already recorded for this attempt, it resumes itself with it at once.
 */
export async function submitToAuthorityTask(
  deps: TaskDeps & Pick<Deps, 'authority' | 'review'>,
  input: TokenTaskInput,
): Promise<void> {
  const app = await withFreshRead(deps, input, async (fresh) => {
    const pendingTask = { step: 'review' as const, token: input.taskToken, attempt: fresh.attempt };
    if (fresh.status === 'submitted') {
      const change = changeStatus(fresh, {
        to: 'under_review',
        detail: 'Order handed to the authority',
        at: deps.clock.now().toISOString(),
        eventId: deps.ids.next('evt'),
        set: { pendingTask },
      });
      await deps.applications.applyStatusChange(change);
      return change.next;
    }
    if (fresh.status === 'under_review') return deps.applications.update(fresh, { pendingTask });
    throw new WorkflowStateError(`Application ${fresh.id} is ${fresh.status}; it cannot go to the authority.`);
  });
  if (app.decision?.attempt === app.attempt) {
    await deps.review.resume(input.taskToken, app.decision.decision);
    return;
  }
  await deps.authority.submitOrder({ applicationId: app.id, tenantId: app.tenantId, attempt: app.attempt });
}

/** RecordOverdue: the review SLA passed; tell the customer (no status change), then the workflow waits again. */
export async function recordOverdueTask(deps: TaskDeps, input: TaskInput): Promise<void> {
  const app = await load(deps, input);
  const at = deps.clock.now().toISOString();
  await deps.applications.emit(eventFor(app, 'application.review_overdue', deps.ids.next('evt'), at));
}

/**
 * ApplyDecision: the stored decision for this attempt becomes the status: approved; rejected (the customer may
 * correct); or rejected_final once the resubmissions are used up. Counted once, by the run that applies it
 * (`ApplicationsDecided`).
 */
export async function applyDecisionTask(deps: TaskDeps & Pick<Deps, 'metrics'>, input: TaskInput): Promise<WorkflowView> {
  const app = await withFreshRead(deps, input, async (fresh) => {
    if (fresh.status !== 'under_review') return fresh; // applied already (a retried task)
    const recorded = fresh.decision?.attempt === fresh.attempt ? fresh.decision.decision : undefined;
    if (!recorded) throw new WorkflowStateError(`No decision is recorded for attempt ${fresh.attempt} of ${fresh.id}.`);
    const at = deps.clock.now().toISOString();
    const eventId = deps.ids.next('evt');
    const base = { pendingTask: undefined };
    const change =
      recorded.outcome === 'approved'
        ? changeStatus(fresh, { to: 'approved', detail: 'Approved by the authority', at, eventId, set: base })
        : changeStatus(fresh, {
            to: fresh.attempt > deps.settings.maxResubmissions ? 'rejected_final' : 'rejected',
            detail: `Rejected: ${recorded.reasons.map((r) => r.code).join(', ')}`,
            at,
            eventId,
            set: { ...base, rejectionReasons: recorded.reasons },
            reasons: recorded.reasons,
          });
    await deps.applications.applyStatusChange(change);
    deps.metrics.count(METRIC_NAMES.applicationsDecided);
    return change.next;
  });
  return workflowView(app, deps.settings, deps.clock.now());
}

/**
 * AwaitCorrection (waits for a token): stores the token while the application is rejected. If the customer already
 * resubmitted (before the token was stored), it resumes itself at once.
 */
export async function awaitCorrectionTask(deps: TaskDeps & Pick<Deps, 'review'>, input: TokenTaskInput): Promise<void> {
  const app = await withFreshRead(deps, input, async (fresh) => {
    if (fresh.status === 'rejected') {
      return deps.applications.update(fresh, {
        pendingTask: { step: 'correction', token: input.taskToken, attempt: fresh.attempt },
      });
    }
    return fresh;
  });
  if (app.status === 'rejected') return;
  if (app.status === 'submitted') {
    await deps.review.resume(input.taskToken, { resubmitted: true });
    return;
  }
  throw new WorkflowStateError(`Application ${app.id} is ${app.status}; it is not awaiting a correction.`);
}

/** ExpireCorrection: the correction window passed without a resubmission → rejected_final. */
export async function expireCorrectionTask(deps: TaskDeps & Pick<Deps, 'review'>, input: TaskInput): Promise<void> {
  await withFreshRead(deps, input, async (fresh) => {
    if (fresh.status === 'submitted') {
      // Resubmitted at the last moment, as the wait timed out: this run ends, so start the next one.
      const next = await deps.applications.update(fresh, { workflowRuns: fresh.workflowRuns + 1, pendingTask: undefined });
      await deps.review.start({ applicationId: next.id, tenantId: next.tenantId, name: reviewRunName(next) });
      return;
    }
    if (fresh.status !== 'rejected') return;
    const change = changeStatus(fresh, {
      to: 'rejected_final',
      detail: `No resubmission within ${deps.settings.correctionWindowDays} days`,
      at: deps.clock.now().toISOString(),
      eventId: deps.ids.next('evt'),
      set: { pendingTask: undefined },
      reasons: fresh.rejectionReasons,
    });
    await deps.applications.applyStatusChange(change);
  });
}

/**
 * MarkFailed: a task failed after its retries. A final application stays as it is; anything else becomes failed
 * (counted: `ApplicationsFailed`).
 */
export async function markFailedTask(deps: TaskDeps & Pick<Deps, 'metrics'>, input: TaskInput & { error?: { Error?: string; Cause?: string } }): Promise<void> {
  const errorName = input.error?.Error ?? 'unknown error';
  log.error('review workflow failed', { applicationId: input.applicationId, error: errorName });
  await withFreshRead(deps, input, async (fresh) => {
    if (FINAL_STATUSES.has(fresh.status)) return;
    const change = changeStatus(fresh, {
      to: 'failed',
      detail: `A technical step failed after its retries (${errorName}); contact support to restart it`,
      at: deps.clock.now().toISOString(),
      eventId: deps.ids.next('evt'),
      set: { pendingTask: undefined },
    });
    await deps.applications.applyStatusChange(change);
    deps.metrics.count(METRIC_NAMES.applicationsFailed);
  });
}
