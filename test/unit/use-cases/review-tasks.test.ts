import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoApplicationRepository } from '../../../shared/adapters/dynamo/dynamo-application-repository.ts';
import { ulidIds } from '../../../shared/adapters/ulid-ids.ts';
import type { Application } from '../../../shared/domain/records.ts';
import { changeStatus, eventFor } from '../../../shared/domain/status-change.ts';
import type { Deps } from '../../../shared/ports/deps.ts';
import {
  applyDecisionTask,
  awaitCorrectionTask,
  expireCorrectionTask,
  markFailedTask,
  recordOverdueTask,
  submitToAuthorityTask,
} from '../../../shared/use-cases/workflow/review-tasks.ts';
import { startTestTable, type TestTable } from '../../support/test-table.ts';
import { testClock } from '../../support/clock.ts';
import { uniqueFilingNumber } from '../../support/fixtures.ts';
import { applicationTimeline } from '../../../shared/use-cases/application-timeline.ts';
import { METRIC_NAMES } from '../../../shared/observability/metric-names.ts';
import { draftApplication } from './support/fixtures.ts';
import { MemoryMetrics } from './support/local-deps.ts';

/**
 * The review tasks against the real engine (DynamoDB Local): each must be idempotent, since Step Functions may run a
 * task twice and a restarted execution re-enters at the stored status.
 */
describe('review workflow tasks', () => {
  let table: TestTable;
  let deps: Deps;
  let metrics: MemoryMetrics;
  const resumed: { token: string; output: unknown }[] = [];
  const started: { applicationId: string; name: string }[] = [];
  const orders: unknown[] = [];

  beforeAll(async () => {
    table = await startTestTable();
    metrics = new MemoryMetrics();
    deps = {
      applications: new DynamoApplicationRepository(table.documents, table.tableName),
      review: {
        start: async (input: { applicationId: string; name: string }) => void started.push(input),
        resume: async (token: string, output: unknown) => {
          resumed.push({ token, output });
          return true;
        },
      },
      authority: { submitOrder: async (order: unknown) => void orders.push(order) },
      clock: testClock,
      ids: ulidIds,
      settings: { maxResubmissions: 1, correctionWindowDays: 14, uploadUrlTtlSeconds: 600, webhooksAllowLoopback: false, webhooksAllowHttp: false },
      metrics,
    } as unknown as Deps;
  }, 60_000);

  afterAll(async () => {
    await table?.stop();
  });

  async function submittedApplication(): Promise<Application> {
    const at = testClock.now().toISOString();
    const draft = draftApplication({ id: ulidIds.next('app'), tenantId: 'tnt_test', createdAt: at, filingNumber: uniqueFilingNumber(), workflowRuns: 1 });
    await deps.applications.create({
      app: draft,
      outbox: eventFor(draft, 'application.created', ulidIds.next('evt'), at),
    });
    const change = changeStatus(draft, { to: 'submitted', detail: 'submitted', at, eventId: ulidIds.next('evt') });
    await deps.applications.applyStatusChange(change);
    return change.next;
  }

  const ids = (app: Application) => ({ applicationId: app.id, tenantId: app.tenantId });
  /** The timeline as the API shows it: the creation (read off the application), then the stored changes. */
  const timelineOf = async (id: string) => applicationTimeline(deps, (await deps.applications.get(id)) as Application);

  it('SubmitToAuthority moves to under_review once; a second run only stores the new token', async () => {
    // Prepare
    const app = await submittedApplication();

    // Act
    await submitToAuthorityTask(deps, { ...ids(app), taskToken: 'token-1' });
    await submitToAuthorityTask(deps, { ...ids(app), taskToken: 'token-2' });

    // Assess
    const stored = await deps.applications.get(app.id);
    expect(stored?.status).toBe('under_review');
    expect(stored?.pendingTask).toEqual({ step: 'review', token: 'token-2', attempt: 1 });
    const timeline = await timelineOf(app.id);
    expect(timeline.map((t) => t.status)).toEqual(['draft', 'submitted', 'under_review']);
  });

  it('SubmitToAuthority resumes itself when the decision was recorded before the token (restarted run)', async () => {
    // Prepare
    const app = await submittedApplication();
    await submitToAuthorityTask(deps, { ...ids(app), taskToken: 'first' });
    const underReview = (await deps.applications.get(app.id)) as Application;
    await deps.applications.update(underReview, { decision: { attempt: 1, decision: { outcome: 'approved' }, at: testClock.now().toISOString() } });

    // Act
    await submitToAuthorityTask(deps, { ...ids(app), taskToken: 'after-restart' });

    // Assess
    expect(resumed).toContainEqual({ token: 'after-restart', output: { outcome: 'approved' } });
  });

  it('ApplyDecision applies the stored decision once, and refuses to guess without one', async () => {
    // Prepare
    const app = await submittedApplication();
    await submitToAuthorityTask(deps, { ...ids(app), taskToken: 't' });
    const withoutDecision = applyDecisionTask(deps, ids(app));
    await expect(withoutDecision).rejects.toMatchObject({ name: 'WorkflowStateError' });
    const underReview = (await deps.applications.get(app.id)) as Application;
    const reasons = [{ code: 'DOCUMENT_UNCLEAR', message: 'blurred' }];
    await deps.applications.update(underReview, { decision: { attempt: 1, decision: { outcome: 'rejected', reasons }, at: testClock.now().toISOString() } });
    const decided = metrics.of(METRIC_NAMES.applicationsDecided);

    // Act
    const first = await applyDecisionTask(deps, ids(app));
    const retried = await applyDecisionTask(deps, ids(app));

    // Assess
    expect(first.status).toBe('rejected');
    expect(retried.status).toBe('rejected');
    const timeline = await timelineOf(app.id);
    expect(timeline.filter((t) => t.status === 'rejected')).toHaveLength(1);
    expect(metrics.of(METRIC_NAMES.applicationsDecided) - decided).toBe(1);
  });

  it('AwaitCorrection resumes itself when the customer resubmitted before the token was stored', async () => {
    // Prepare: rejected, then resubmitted (submitted, attempt 2) before AwaitCorrection ran
    const app = await submittedApplication();
    await submitToAuthorityTask(deps, { ...ids(app), taskToken: 't' });
    let current = (await deps.applications.get(app.id)) as Application;
    current = await deps.applications.update(current, { decision: { attempt: 1, decision: { outcome: 'rejected', reasons: [{ code: 'OTHER', message: 'x' }] }, at: testClock.now().toISOString() } });
    await applyDecisionTask(deps, ids(app));
    current = (await deps.applications.get(app.id)) as Application;
    await deps.applications.applyStatusChange(
      changeStatus(current, { to: 'submitted', detail: 'resubmitted', at: testClock.now().toISOString(), eventId: ulidIds.next('evt'), set: { attempt: 2 } }),
    );

    // Act
    await awaitCorrectionTask(deps, { ...ids(app), taskToken: 'late-token' });

    // Assess
    expect(resumed).toContainEqual({ token: 'late-token', output: { resubmitted: true } });
  });

  it('a rejection beyond the allowed resubmissions is final (maxResubmissions = 1 here)', async () => {
    // Prepare: attempt 2 under review
    const app = await submittedApplication();
    let current = await deps.applications.update(app, { attempt: 2 });
    await submitToAuthorityTask(deps, { ...ids(app), taskToken: 't' });
    current = (await deps.applications.get(app.id)) as Application;
    await deps.applications.update(current, { decision: { attempt: 2, decision: { outcome: 'rejected', reasons: [{ code: 'OTHER', message: 'x' }] }, at: testClock.now().toISOString() } });

    // Act
    const view = await applyDecisionTask(deps, ids(app));

    // Assess
    expect(view.status).toBe('rejected_final');
  });

  async function rejectedApplication(): Promise<Application> {
    const app = await submittedApplication();
    await submitToAuthorityTask(deps, { ...ids(app), taskToken: 't' });
    const current = (await deps.applications.get(app.id)) as Application;
    await deps.applications.update(current, {
      decision: { attempt: 1, decision: { outcome: 'rejected', reasons: [{ code: 'OTHER', message: 'x' }] }, at: testClock.now().toISOString() },
    });
    await applyDecisionTask(deps, ids(app));
    return (await deps.applications.get(app.id)) as Application;
  }

  it('ExpireCorrection closes a rejected application as rejected_final when the window passes', async () => {
    // Prepare
    const app = await rejectedApplication();

    // Act
    await expireCorrectionTask(deps, ids(app));
    await expireCorrectionTask(deps, ids(app));

    // Assess
    const stored = await deps.applications.get(app.id);
    expect(stored?.status).toBe('rejected_final');
    const timeline = await timelineOf(app.id);
    expect(timeline.at(-1)).toMatchObject({ status: 'rejected_final', detail: 'No resubmission within 14 days' });
    expect(timeline.filter((t) => t.status === 'rejected_final')).toHaveLength(1);
  });

  it('ExpireCorrection starts the next run when the resubmission raced the deadline', async () => {
    // Prepare: resubmitted (submitted again) just as the correction wait timed out
    const rejected = await rejectedApplication();
    await deps.applications.applyStatusChange(
      changeStatus(rejected, { to: 'submitted', detail: 'resubmitted', at: testClock.now().toISOString(), eventId: ulidIds.next('evt'), set: { attempt: 2 } }),
    );

    // Act
    await expireCorrectionTask(deps, ids(rejected));

    // Assess
    const stored = await deps.applications.get(rejected.id);
    expect(stored?.status).toBe('submitted');
    expect(started).toContainEqual(expect.objectContaining({ applicationId: rejected.id, name: `${rejected.id}-2` }));
  });

  it('RecordOverdue emits application.review_overdue without changing the status', async () => {
    // Prepare
    const app = await submittedApplication();
    await submitToAuthorityTask(deps, { ...ids(app), taskToken: 't' });
    const before = (await deps.applications.get(app.id)) as Application;

    // Act
    await recordOverdueTask(deps, ids(app));

    // Assess
    const after = (await deps.applications.get(app.id)) as Application;
    expect(after.status).toBe('under_review');
    expect(after.version).toBe(before.version);
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const events = await table.documents.send(
      new ScanCommand({
        TableName: table.tableName,
        FilterExpression: 'entity = :e AND #event.#data.applicationId = :id',
        ExpressionAttributeNames: { '#event': 'event', '#data': 'data' },
        ExpressionAttributeValues: { ':e': 'event', ':id': app.id },
      }),
    );
    expect((events.Items ?? []).map((i) => i.event.type)).toContain('application.review_overdue');
  });

  it('MarkFailed leaves a final application as it is', async () => {
    // Prepare
    const app = await submittedApplication();
    await submitToAuthorityTask(deps, { ...ids(app), taskToken: 't' });
    const current = (await deps.applications.get(app.id)) as Application;
    await deps.applications.update(current, { decision: { attempt: 1, decision: { outcome: 'approved' }, at: testClock.now().toISOString() } });
    await applyDecisionTask(deps, ids(app));
    const failed = metrics.of(METRIC_NAMES.applicationsFailed);

    // Act
    await markFailedTask(deps, { ...ids(app), error: { Error: 'Boom' } });

    // Assess
    expect((await deps.applications.get(app.id))?.status).toBe('approved');
    expect(metrics.of(METRIC_NAMES.applicationsFailed)).toBe(failed);
  });

  it('MarkFailed fails an application under way once, and counts it once', async () => {
    // Prepare
    const app = await submittedApplication();
    await submitToAuthorityTask(deps, { ...ids(app), taskToken: 't' });
    const failed = metrics.of(METRIC_NAMES.applicationsFailed);

    // Act
    await markFailedTask(deps, { ...ids(app), error: { Error: 'TransientError' } });
    await markFailedTask(deps, { ...ids(app), error: { Error: 'TransientError' } });

    // Assess
    expect((await deps.applications.get(app.id))?.status).toBe('failed');
    expect(metrics.of(METRIC_NAMES.applicationsFailed) - failed).toBe(1);
  });

  it('keeps one open order per filing whichever abbreviation of the province it is written with', async () => {
    // Prepare
    const app = await submittedApplication();
    const digits = app.filingNumber.slice(1);
    const at = testClock.now().toISOString();
    const first: Application = { ...app, id: ulidIds.next('app'), filingNumber: `蜀${digits}`, status: 'draft', sequence: 1, version: 1 };
    const second: Application = { ...first, id: ulidIds.next('app'), filingNumber: `川${digits}` };
    const create = (a: Application) =>
      deps.applications.create({
        app: a,
          outbox: eventFor(a, 'application.created', ulidIds.next('evt'), at),
      });

    // Act
    await create(first);
    const again = await create(second).catch((e: unknown) => e);

    // Assess
    expect(again).toMatchObject({ name: 'ConflictError', extensions: { openApplicationId: first.id } });
  });

  it('two writers racing on one version: exactly one status change wins', async () => {
    // Prepare
    const app = await submittedApplication();
    const at = testClock.now().toISOString();

    // Act
    const results = await Promise.allSettled([
      deps.applications.applyStatusChange(changeStatus(app, { to: 'under_review', detail: 'a', at, eventId: ulidIds.next('evt') })),
      deps.applications.applyStatusChange(changeStatus(app, { to: 'failed', detail: 'b', at, eventId: ulidIds.next('evt') })),
    ]);

    // Assess
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { name: 'ConflictError' } });
    expect((await timelineOf(app.id)).map((t) => t.sequence)).toEqual([1, 2, 3]);
  });
});
