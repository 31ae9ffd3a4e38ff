import { describe, expect, it } from 'vitest';
import type { ApplicationInput } from '../../../shared/domain/application.ts';
import type { Application, Principal } from '../../../shared/domain/records.ts';
import { changeStatus } from '../../../shared/domain/status-change.ts';
import { createBatch } from '../../../shared/use-cases/batches/create-batch.ts';
import { createApplication } from '../../../shared/use-cases/create-application.ts';
import { websiteApplication } from '../use-cases/support/fixtures.ts';
import { agency, withLocalTable } from '../use-cases/support/local-deps.ts';
import { type BatchTestDeps, batchTestDeps, parseReport, runIngestion } from './support.ts';

/** An approved cancellation ends the filing: no order can be opened on its number again (except after access removal). */
describe('filings whose cancellation was approved', { timeout: 30_000 }, () => {
  let deps: BatchTestDeps;
  withLocalTable((table) => {
    deps = batchTestDeps(table);
  });

  /** Created, then moved through the review to `final` (as the workflow's status changes would). */
  async function decided(principal: Principal, input: ApplicationInput, final: 'approved' | 'rejected_final'): Promise<Application> {
    let { app } = await createApplication(deps, principal, input);
    for (const to of ['submitted', 'under_review', final] as const) {
      const change = changeStatus(app, { to, detail: to, at: deps.clock.now().toISOString(), eventId: deps.ids.next('evt') });
      await deps.applications.applyStatusChange(change);
      app = change.next;
    }
    return app;
  }

  it('refuses a new order on a website whose cancellation was approved, for every tenant, with the date', async () => {
    // Prepare
    const input = websiteApplication();
    const approved = await decided(agency(), input, 'approved');

    // Act
    const again = await createApplication(deps, agency(), { ...input, customerRef: 'a second try' }).catch((e: unknown) => e);

    // Assess
    expect(again).toMatchObject({
      name: 'ConflictError',
      errors: [{ path: 'filingNumber', code: 'filing_cancelled', message: expect.stringContaining(approved.updatedAt.slice(0, 10)) }],
    });
  });

  it('frees the filing again after an approved access removal or a final rejection', async () => {
    // Prepare
    const principal = agency();
    const access = websiteApplication({ kind: 'cancel_access' });
    const refused = websiteApplication();
    await decided(principal, access, 'approved');
    await decided(principal, refused, 'rejected_final');

    // Act
    const afterAccess = await createApplication(deps, principal, access);
    const afterRejection = await createApplication(deps, principal, refused);

    // Assess
    expect(afterAccess.app.status).toBe('draft');
    expect(afterRejection.app.status).toBe('draft');
  });

  it('reports a batch row on a cancelled filing as refused, and writes the others', async () => {
    // Prepare
    const principal = agency();
    const gone = websiteApplication();
    await decided(principal, gone, 'approved');
    const { batch } = await createBatch(deps, principal, { items: [websiteApplication(), gone] });

    // Act
    await runIngestion(deps, batch);

    // Assess
    const report = await parseReport(deps.files.text(`batch-files/${principal.tenantId}/${batch.id}/report.csv`));
    expect(report.map((r) => [r.row, r.outcome, r.errorCode])).toEqual([
      ['1', 'created', ''],
      ['2', 'refused', 'filing_cancelled'],
    ]);
  });
});
