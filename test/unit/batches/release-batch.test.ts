import { describe, expect, it } from 'vitest';
import { createBatch } from '../../../shared/use-cases/batches/create-batch.ts';
import { getBatch } from '../../../shared/use-cases/batches/read-batch.ts';
import { releaseBatch } from '../../../shared/use-cases/batches/release-batch.ts';
import { listApplications } from '../../../shared/use-cases/read-applications.ts';
import { websiteApplication } from '../use-cases/support/fixtures.ts';
import { agency, withLocalTable } from '../use-cases/support/local-deps.ts';
import { acceptedSharedEvidence, type BatchTestDeps, batchTestDeps, runIngestion } from './support.ts';

describe('POST /v1/batches/{id}/submit: releasing a held batch', { timeout: 60_000 }, () => {
  let deps: BatchTestDeps;
  withLocalTable((table) => {
    deps = batchTestDeps(table);
  });

  it('submits the drafts whose evidence is complete, marks the others to submit themselves, and is harmless again', async () => {
    // Prepare
    const principal = agency();
    const closure = await acceptedSharedEvidence(deps, principal.tenantId, 'closure_proof');
    const items = [{ ...websiteApplication(), evidence: [closure.evidenceId] }, websiteApplication(), { ...websiteApplication(), evidence: [closure.evidenceId] }];
    const { batch } = await createBatch(deps, principal, { items, submit: 'hold' });
    await runIngestion(deps, batch);

    // Act
    const first = await releaseBatch(deps, principal, batch.id, {});
    const again = await releaseBatch(deps, principal, batch.id, {});

    // Assess
    expect(first).toEqual({ batchId: batch.id, submitted: 2, waiting: 1, skipped: 0 });
    expect(await getBatch(deps, principal, batch.id)).toMatchObject({ submit: 'immediately', hold: false, releasedAt: expect.any(String) });
    expect(again).toEqual({ batchId: batch.id, submitted: 0, waiting: 1, skipped: 2 });
    const apps = (await listApplications(deps, principal, { batchId: batch.id })).items;
    expect(apps.map((a) => a.status).sort()).toEqual(['draft', 'submitted', 'submitted']);
    expect(apps.find((a) => a.status === 'draft')).toMatchObject({ submitWhenComplete: true });
    const submittedIds = apps.filter((a) => a.status === 'submitted').map((a) => a.id);
    // One run each: the repeated call starts the same runs again, which joins them.
    expect(new Set(deps.started.filter((s) => submittedIds.includes(s.applicationId)).map((s) => s.name))).toEqual(new Set(submittedIds.map((id) => `${id}-1`)));
  });

  it('finishes on a repeated call what an error cut short between a submission and the start of its review', async () => {
    // Prepare
    const principal = agency();
    const closure = await acceptedSharedEvidence(deps, principal.tenantId, 'closure_proof');
    const { batch } = await createBatch(deps, principal, { items: [{ ...websiteApplication(), evidence: [closure.evidenceId] }], submit: 'hold' });
    await runIngestion(deps, batch);
    const throttled = { ...deps, review: { ...deps.review, start: async () => Promise.reject(new Error('ThrottlingException')) } };

    // Act
    const failed = await releaseBatch(throttled, principal, batch.id, {}).catch((e: unknown) => e);
    const again = await releaseBatch(deps, principal, batch.id, {});

    // Assess
    expect(failed).toBeInstanceOf(Error);
    expect(again).toEqual({ batchId: batch.id, submitted: 0, waiting: 0, skipped: 1 });
    const [app] = (await listApplications(deps, principal, { batchId: batch.id })).items;
    expect(app).toMatchObject({ status: 'submitted' });
    expect(deps.started.filter((s) => s.applicationId === app?.id).map((s) => s.name)).toEqual([`${app?.id}-1`]);
  });

  it('goes page by page (200 applications a call) until no cursor is left', async () => {
    // Prepare
    const principal = agency();
    const closure = await acceptedSharedEvidence(deps, principal.tenantId, 'closure_proof');
    const items = Array.from({ length: 201 }, () => ({ ...websiteApplication(), evidence: [closure.evidenceId] }));
    const { batch } = await createBatch(deps, principal, { items, submit: 'hold' });
    await runIngestion(deps, batch);

    // Act
    const first = await releaseBatch(deps, principal, batch.id, {});
    const second = await releaseBatch(deps, principal, batch.id, { ...(first.nextCursor ? { cursor: first.nextCursor } : {}) });

    // Assess
    expect(first).toMatchObject({ submitted: 200, waiting: 0, nextCursor: expect.any(String) });
    expect(second).toEqual({ batchId: batch.id, submitted: 1, waiting: 0, skipped: 0 });
  });

  it('refuses a bad cursor with 400 before it marks a held batch released', async () => {
    // Prepare
    const principal = agency();
    const { batch } = await createBatch(deps, principal, { items: [websiteApplication()], submit: 'hold' });
    await runIngestion(deps, batch);

    // Act
    const refused = await releaseBatch(deps, principal, batch.id, { cursor: 'not-a-cursor' }).catch((e: unknown) => e);

    // Assess
    expect(refused).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(await getBatch(deps, principal, batch.id)).toMatchObject({ submit: 'hold', hold: true });
    expect(await getBatch(deps, principal, batch.id)).not.toHaveProperty('releasedAt');
  });

  it("refuses a batch still being ingested (409) and another tenant's batch (404), changing nothing", async () => {
    // Prepare
    const principal = agency();
    const { batch } = await createBatch(deps, principal, { items: [websiteApplication()], submit: 'hold' });

    // Act
    const early = await releaseBatch(deps, principal, batch.id, {}).catch((e: unknown) => e);
    await runIngestion(deps, batch);
    const stranger = await releaseBatch(deps, agency(), batch.id, {}).catch((e: unknown) => e);

    // Assess
    expect(early).toMatchObject({ name: 'ConflictError', extensions: { batchStatus: 'ingesting' } });
    expect(stranger).toMatchObject({ name: 'NotFoundError' });
    const [draft] = (await listApplications(deps, principal, { batchId: batch.id })).items;
    expect(draft).toMatchObject({ status: 'draft' });
    expect(draft).not.toHaveProperty('submitWhenComplete');
  });
});
