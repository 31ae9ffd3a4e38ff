import { describe, expect, it } from 'vitest';
import type { ApplicationInput } from '../../../shared/domain/application.ts';
import { ConflictError, UnprocessableError, ValidationError } from '../../../shared/domain/errors.ts';
import type { Principal } from '../../../shared/domain/records.ts';
import { createApplication } from '../../../shared/use-cases/create-application.ts';
import { importFilingRegistry } from '../../../shared/use-cases/filing-registry.ts';
import { getApplication } from '../../../shared/use-cases/read-applications.ts';
import { recordDecision } from '../../../shared/use-cases/record-decision.ts';
import { resubmitApplication } from '../../../shared/use-cases/resubmit-application.ts';
import { submitApplication } from '../../../shared/use-cases/submit-application.ts';
import { applyDecisionTask, awaitCorrectionTask, loadApplicationTask, submitToAuthorityTask } from '../../../shared/use-cases/workflow/review-tasks.ts';
import { METRIC_NAMES } from '../../../shared/observability/metric-names.ts';
import { registryRow, uniqueSubjectNumber, websiteApplication } from './support/fixtures.ts';
import { agency, type LocalTable, operatorOf, withLocalTable, type TestDeps, testDeps } from './support/local-deps.ts';

/** The rules of issue 3 as the application use cases enforce them, on the real table (DynamoDB Local). */
describe('applications under the ICP rules', { timeout: 30_000 }, () => {
  let table: LocalTable;
  let deps: TestDeps;
  withLocalTable((t) => {
    table = t;
    deps = testDeps(t, { now: '2025-09-26T02:00:00.000Z' });
  });

  /** Creates, marks its evidence accepted, submits and hands it to the authority: an application under review. */
  async function underReview(principal: Principal, input: ApplicationInput = websiteApplication()) {
    const { app } = await createApplication(deps, principal, input);
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

  describe('createApplication', () => {
    it('stores the canonical identifiers and the warnings, and answers them', async () => {
      // Prepare
      const subject = uniqueSubjectNumber();
      const input = websiteApplication({ filingNumber: ` ${subject.replace('ICP', 'icp')}－1`, domains: ['Example.CN'] });

      // Act
      const { app } = await createApplication(deps, agency(), input);
      const stored = await deps.applications.get(app.id);

      // Assess
      expect(stored).toMatchObject({ filingNumber: `${subject}-1`, domains: ['example.cn'] });
      expect(stored?.warnings?.map((w) => w.code)).toEqual(['not_in_registry']);
    });

    it('refuses field errors with 400 and registry mismatches with 422, writing nothing', async () => {
      // Prepare
      const principal = agency();
      const mismatched = websiteApplication();
      await importFilingRegistry(deps, principal, { rows: [registryRow(mismatched, { websiteName: '另一个网站' })] });

      // Act
      const invalid = await createApplication(deps, principal, websiteApplication({ domains: ['exa mple_.cn'] })).catch((e: unknown) => e);
      const mismatch = await createApplication(deps, principal, mismatched).catch((e: unknown) => e);

      // Assess
      expect(invalid).toBeInstanceOf(ValidationError);
      expect(mismatch).toBeInstanceOf(UnprocessableError);
      expect(mismatch).toMatchObject({
        errors: [{ path: 'websiteName', code: 'registry_mismatch', registryValue: '另一个网站', submittedValue: '示例网站' }],
      });
      expect((await deps.applications.list(principal.tenantId, { limit: 10 })).items).toEqual([]);
    });

    it('allows one open order per filing, whatever form the number is pasted in: 409 naming the open one', async () => {
      // Prepare
      const principal = agency();
      const input = websiteApplication();
      const { app: open } = await createApplication(deps, principal, input);

      // Act
      const second = await createApplication(deps, principal, { ...input, filingNumber: input.filingNumber.replace('ICP', 'icp') }).catch(
        (e: unknown) => e,
      );
      const otherTenant = await createApplication(deps, agency(), input).catch((e: unknown) => e);

      // Assess
      expect(second).toBeInstanceOf(ConflictError);
      expect(second).toMatchObject({
        extensions: { openApplicationId: open.id },
        errors: [{ path: 'filingNumber', code: 'order_in_progress', message: expect.stringContaining(open.id) }],
      });
      // Another agency learns that the filing is busy, not which application holds it.
      expect(otherTenant).toBeInstanceOf(ConflictError);
      expect((otherTenant as ConflictError).extensions).toEqual({});
    });

    it('asks for the evidence the agency\'s policy requires', async () => {
      // Prepare
      const signedForm = { ...deps, settings: { ...deps.settings, evidencePolicy: { ...deps.settings.evidencePolicy, requireSignedForm: true } } };

      // Act
      const { app: standard } = await createApplication(deps, agency(), websiteApplication());
      const { app: offline } = await createApplication(signedForm, agency(), websiteApplication());

      // Assess
      expect(standard.requiredEvidence).toEqual(['closure_proof']);
      expect(offline.requiredEvidence).toEqual(['closure_proof', 'application_form']);
    });
  });

  describe('submission and review deadline', () => {
    it('stores the deadline in business days when submitted and runs the review timeout to its end', async () => {
      // Prepare
      const principal = agency();

      // Act
      const app = await underReview(principal);
      const view = await getApplication(deps, principal, app.id);
      const workflow = await loadApplicationTask(deps, { applicationId: app.id, tenantId: app.tenantId });

      // Assess: 2025-09-26 + 20 business days, over the National Day week and two make-up Saturdays.
      expect(view.reviewDeadline).toEqual({ date: '2025-10-30', estimate: false });
      expect(workflow).toMatchObject({ status: 'under_review', reviewDeadline: '2025-10-30', reviewDeadlineEstimate: false });
      // From 2025-09-26 10:00 China time to the end of 2025-10-30: 34 days and 14 hours.
      expect(workflow.reviewTimeoutSeconds).toBe(34 * 86_400 + 14 * 3_600);
    });
  });

  describe('metrics', () => {
    it('counts an application created once (not its replay nor a refusal), and each submission and resubmission', async () => {
      // Prepare
      const principal = agency();
      const input = websiteApplication();
      await importFilingRegistry(deps, principal, { rows: [registryRow(input)] });
      const before = deps.metrics.all();
      const delta = (name: (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES]) => deps.metrics.of(name) - (before[name] ?? 0);

      // Act
      await createApplication(deps, principal, input, { idempotencyKey: 'metrics-1' });
      await createApplication(deps, principal, input, { idempotencyKey: 'metrics-1' });
      await createApplication(deps, principal, websiteApplication({ domains: ['exa mple_.cn'] })).catch(() => undefined);
      const created = delta(METRIC_NAMES.applicationsCreated);
      const app = await underReview(principal, websiteApplication());
      await recordDecision(deps, operatorOf(principal), app.id, { outcome: 'rejected', reasons: [{ code: 'DOCUMENT_UNCLEAR', message: 'blurred' }] });
      await applyDecisionTask(deps, { applicationId: app.id, tenantId: app.tenantId });
      await resubmitApplication(deps, principal, app.id, {});

      // Assess
      expect(created).toBe(1);
      expect(delta(METRIC_NAMES.applicationsCreated)).toBe(2);
      expect(delta(METRIC_NAMES.applicationsSubmitted)).toBe(2);
      expect(delta(METRIC_NAMES.applicationsDecided)).toBe(1);
    });
  });

  describe('decisions', () => {
    it('refuses reason codes outside the catalogue with 400 listing the known ones', async () => {
      // Prepare
      const principal = agency();
      const app = await underReview(principal);

      // Act
      const decided = await recordDecision(deps, operatorOf(principal), app.id, {
        outcome: 'rejected',
        reasons: [
          { code: 'DOCUMENT_UNCLEAR', message: 'blurred' },
          { code: 'NAME_WRONG', message: 'name differs' },
        ],
      }).catch((e: unknown) => e);

      // Assess
      expect(decided).toBeInstanceOf(ValidationError);
      expect(decided).toMatchObject({
        errors: [{ path: 'reasons.1.code', code: 'unknown_rejection_code', message: expect.stringContaining('INFO_MISMATCH') }],
        extensions: { rejectionCodes: expect.arrayContaining(['MATERIALS_INCOMPLETE', 'OTHER']) },
      });
      expect((await deps.applications.get(app.id))?.decision).toBeUndefined();
    });

    it('shows each reason with its title and fix hint, in the application and in the webhook event', async () => {
      // Prepare
      const principal = agency();
      const app = await underReview(principal);
      await recordDecision(deps, operatorOf(principal), app.id, {
        outcome: 'rejected',
        reasons: [{ code: 'SITE_STILL_REACHABLE', message: 'example.cn answers on port 443' }],
      });

      // Act
      await applyDecisionTask(deps, { applicationId: app.id, tenantId: app.tenantId });
      const view = await getApplication(deps, principal, app.id);
      const event = await deps.webhooks.getEvent(deps.eventIds.at(-1) as string);

      // Assess
      const described = {
        code: 'SITE_STILL_REACHABLE',
        message: 'example.cn answers on port 443',
        title: { zh: '网站仍可访问', en: 'Website still reachable' },
        fixHint: { zh: expect.stringContaining('停止解析'), en: expect.stringContaining('no longer points to a server in mainland China') },
      };
      expect(view.status).toBe('rejected');
      expect(view.rejectionReasons).toEqual([described]);
      expect(event?.event).toMatchObject({ type: 'application.rejected', data: { applicationId: app.id, reasons: [described] } });
    });
  });

  describe('resubmitApplication', () => {
    it('validates the corrected application like a new one and gives the new attempt its own deadline', async () => {
      // Prepare
      const principal = agency();
      const input = websiteApplication();
      const sibling = { ...input, filingNumber: input.filingNumber.replace(/-1$/, '-2') };
      await importFilingRegistry(deps, principal, { rows: [registryRow(input), registryRow(sibling)] });
      const app = await underReview(principal, input);
      await recordDecision(deps, operatorOf(principal), app.id, { outcome: 'rejected', reasons: [{ code: 'DOCUMENT_UNCLEAR', message: 'blurred' }] });
      await applyDecisionTask(deps, { applicationId: app.id, tenantId: app.tenantId });
      deps.setNow('2025-10-09T02:00:00.000Z');

      // Act
      const badDomain = await resubmitApplication(deps, principal, app.id, { domains: ['http://example.cn'] }).catch((e: unknown) => e);
      const mismatch = await resubmitApplication(deps, principal, app.id, { websiteName: '别的名字' }).catch((e: unknown) => e);
      const resubmitted = await resubmitApplication(deps, principal, app.id, { domains: ['EXAMPLE.cn'] });

      // Assess
      expect(badDomain).toMatchObject({ status: 400, errors: [{ path: 'domains.0', code: 'url_not_domain' }] });
      expect(mismatch).toMatchObject({ status: 422, errors: [{ path: 'websiteName', code: 'registry_mismatch' }] });
      expect(resubmitted).toMatchObject({
        status: 'submitted',
        attempt: 2,
        domains: ['example.cn'],
        warnings: [],
        // 2025-10-09 (the first workday after the National Day week) + 20 business days.
        reviewDeadline: { date: '2025-11-05', estimate: false },
      });
      deps.setNow('2025-09-26T02:00:00.000Z');
    });

    it('reads again when the workflow stores its correction token between the read and the write', async () => {
      // Prepare
      const principal = agency();
      const app = await underReview(principal);
      await recordDecision(deps, operatorOf(principal), app.id, { outcome: 'rejected', reasons: [{ code: 'OTHER', message: 'x' }] });
      await applyDecisionTask(deps, { applicationId: app.id, tenantId: app.tenantId });
      let raced = false;
      const racing: TestDeps = {
        ...deps,
        applications: Object.assign(Object.create(deps.applications) as TestDeps['applications'], {
          applyStatusChange: async (change: Parameters<TestDeps['applications']['applyStatusChange']>[0]) => {
            if (!raced) {
              raced = true;
              // What AwaitCorrection does right after the rejection.
              await awaitCorrectionTask(deps, { applicationId: app.id, tenantId: app.tenantId, taskToken: 'correction-token' });
            }
            return deps.applications.applyStatusChange(change);
          },
        }),
      };

      // Act
      const resubmitted = await resubmitApplication(racing, principal, app.id, {});

      // Assess
      expect(resubmitted).toMatchObject({ status: 'submitted', attempt: 2 });
      expect(deps.resumed).toContainEqual({ token: 'correction-token', output: { resubmitted: true } });
    });
  });
});
