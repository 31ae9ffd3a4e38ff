import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../shared/domain/errors.ts';
import type { Principal } from '../../../shared/domain/records.ts';
import { createApplication } from '../../../shared/use-cases/create-application.ts';
import { recordDecision } from '../../../shared/use-cases/record-decision.ts';
import { submitApplication } from '../../../shared/use-cases/submit-application.ts';
import { submitToAuthorityTask } from '../../../shared/use-cases/workflow/review-tasks.ts';
import { websiteApplication } from './support/fixtures.ts';
import { agency, operatorOf, type TestDeps, testDeps, withLocalTable } from './support/local-deps.ts';

/** Recording the authority's decision, on the real table (DynamoDB Local). */
describe('recordDecision', { timeout: 30_000 }, () => {
  let deps: TestDeps;
  withLocalTable((table) => {
    deps = testDeps(table, { now: '2026-12-01T02:00:00.000Z' });
  });

  /** An application whose review waits for the authority on the token `token-<id>`. */
  async function underReview(principal: Principal) {
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
    await submitApplication(deps, principal, app.id);
    await submitToAuthorityTask(deps, { applicationId: app.id, tenantId: app.tenantId, taskToken: `token-${app.id}` });
    return app;
  }

  it('resumes the review again when the same decision is sent again after the first could not resume it', async () => {
    // Prepare: the first call stores the decision, then Step Functions throttles the resume past the SDK's retries
    const principal = agency();
    const app = await underReview(principal);
    const rejection = { outcome: 'rejected' as const, reasons: [{ code: 'INFO_MISMATCH', message: 'The website name differs' }] };
    const resume = deps.review.resume;
    deps.review.resume = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400, attempts: 3 } });
    };
    const first = await recordDecision(deps, operatorOf(principal), app.id, rejection).catch((e: unknown) => e);
    deps.review.resume = resume;

    // Act: the client sends it again
    const again = await recordDecision(deps, operatorOf(principal), app.id, rejection);

    // Assess: answered as the first time would have been, and the waiting review resumed with the decision
    expect((first as Error).name).toBe('ThrottlingException');
    expect(again).toMatchObject({ id: app.id, status: 'under_review', decision: { attempt: 1, decision: rejection } });
    expect(deps.resumed).toContainEqual({ token: `token-${app.id}`, output: rejection });
  });

  it('refuses another decision once one is recorded for the review (409), and resumes nothing', async () => {
    // Prepare
    const principal = agency();
    const app = await underReview(principal);
    await recordDecision(deps, operatorOf(principal), app.id, { outcome: 'approved' });
    const resumed = deps.resumed.length;

    // Act
    const other = await recordDecision(deps, operatorOf(principal), app.id, {
      outcome: 'rejected',
      reasons: [{ code: 'OTHER', message: 'changed its mind' }],
    }).catch((e: unknown) => e);

    // Assess
    expect(other).toBeInstanceOf(ConflictError);
    expect(deps.resumed.length).toBe(resumed);
    expect((await deps.applications.get(app.id))?.decision?.decision).toEqual({ outcome: 'approved' });
  });
});
