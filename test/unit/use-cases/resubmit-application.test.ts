import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../shared/domain/errors.ts';
import type { Principal } from '../../../shared/domain/records.ts';
import { createApplication } from '../../../shared/use-cases/create-application.ts';
import { recordDecision } from '../../../shared/use-cases/record-decision.ts';
import { resubmitApplication } from '../../../shared/use-cases/resubmit-application.ts';
import { submitApplication } from '../../../shared/use-cases/submit-application.ts';
import { applyDecisionTask, awaitCorrectionTask, submitToAuthorityTask } from '../../../shared/use-cases/workflow/review-tasks.ts';
import { websiteApplication } from './support/fixtures.ts';
import { agency, operatorOf, type TestDeps, testDeps, withLocalTable } from './support/local-deps.ts';

/** Resubmitting after a rejection, on the real table (DynamoDB Local). */
describe('resubmitApplication', { timeout: 30_000 }, () => {
  let deps: TestDeps;
  withLocalTable((table) => {
    deps = testDeps(table, { now: '2026-12-01T02:00:00.000Z' });
  });

  /** A rejected application whose review waits for the correction on the token `correction-<id>`. */
  async function awaitingCorrection(principal: Principal) {
    const { app } = await createApplication(deps, principal, websiteApplication());
    for (const kind of app.requiredEvidence) {
      const evidenceId = deps.ids.next('ev');
      await deps.applications.putEvidence({
        evidenceId,
        applicationId: app.id,
        tenantId: app.tenantId,
        kind,
        contentType: 'application/pdf',
        contentLength: 100,
        status: 'accepted',
        objectKey: `evidence/${app.tenantId}/${app.id}/${evidenceId}`,
        createdAt: deps.clock.now().toISOString(),
      });
    }
    const ids = { applicationId: app.id, tenantId: app.tenantId };
    await submitApplication(deps, principal, app.id);
    await submitToAuthorityTask(deps, { ...ids, taskToken: `review-${app.id}` });
    await recordDecision(deps, operatorOf(principal), app.id, { outcome: 'rejected', reasons: [{ code: 'INFO_MISMATCH', message: 'The website name differs' }] });
    await applyDecisionTask(deps, ids);
    await awaitCorrectionTask(deps, { ...ids, taskToken: `correction-${app.id}` });
    return app;
  }

  it('resumes the review again when the same resubmission is sent again after the first could not resume it', async () => {
    // Prepare: the first call commits the resubmission, then Step Functions throttles the resume past the SDK's retries
    const principal = agency();
    const app = await awaitingCorrection(principal);
    const corrections = { websiteName: '示例网站（更正）' };
    const resume = deps.review.resume;
    deps.review.resume = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400, attempts: 3 } });
    };
    const first = await resubmitApplication(deps, principal, app.id, corrections).catch((e: unknown) => e);
    deps.review.resume = resume;

    // Act: the client sends it again
    const again = await resubmitApplication(deps, principal, app.id, corrections);

    // Assess: answered as the first time would have been, one submission, and the waiting review resumed
    expect((first as Error).name).toBe('ThrottlingException');
    expect(again).toMatchObject({ id: app.id, status: 'submitted', attempt: 2, websiteName: '示例网站（更正）' });
    expect(deps.resumed).toContainEqual({ token: `correction-${app.id}`, output: { resubmitted: true } });
    expect((await deps.applications.get(app.id))?.sequence).toBe(5); // draft, submitted, under review, rejected, submitted
  });

  it('refuses (409) another resubmission once one is committed, and resumes nothing', async () => {
    // Prepare: resubmitted, its workflow not yet past the correction
    const principal = agency();
    const app = await awaitingCorrection(principal);
    await resubmitApplication(deps, principal, app.id, { websiteName: '示例网站（更正）' });
    const resumed = deps.resumed.length;

    // Act
    const other = await resubmitApplication(deps, principal, app.id, { websiteName: '另一个名字' }).catch((e: unknown) => e);

    // Assess
    expect(other).toBeInstanceOf(ConflictError);
    expect(deps.resumed.length).toBe(resumed);
    expect(await deps.applications.get(app.id)).toMatchObject({ status: 'submitted', attempt: 2, websiteName: '示例网站（更正）' });
  });
});
