import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { type ApiCall, apiClient, eventually } from '../support/api-client.ts';
import * as journeys from '../support/journeys.ts';
import { applicationBody, PDF, uniqueFilingNumber } from '../support/fixtures.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

/** Real identifiers with valid check characters. */
const CREDIT_CODE = '91110108551385082Q'; // 小米科技有限责任公司
const OTHER_CREDIT_CODE = '91110000802100433B'; // 北京百度网讯科技有限公司

type FieldError = { path: string; code: string; message: string; registryValue?: unknown; submittedValue?: unknown };

/**
 * The ICP rules of issue 3 through the HTTP API on the local runtime: identifiers, kinds, the filing registry
 * (import in both shapes, cross-check), one open order per filing, rejection codes and their hints (in the API and in
 * signed webhooks). Review deadlines are in review-deadlines.test.ts, on days picked explicitly.
 */
describe('ICP rules through the API', () => {
  let runtime: LocalRuntime;
  let agency: ApiCall;
  let operator: ApiCall;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-rules-'));

  beforeAll(async () => {
    runtime = await startLocalRuntime({ port: 0, dataDir, authority: 'manual', authorityDelayMs: 0, timeScale: 0.0001 });
    agency = apiClient(runtime.url, runtime.demoTenant.agencyKey);
    operator = apiClient(runtime.url, runtime.demoTenant.operatorKey);
    receiver = await startWebhookReceiver();
    const endpoint = await agency('POST', '/v1/webhook-endpoints', { url: receiver.url });
    receiver.useSecret(endpoint.body.secret);
  });

  afterAll(async () => {
    await receiver?.stop();
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const errorsOf = (body: Record<string, any>) => (body.errors as FieldError[]).map((e) => `${e.path}:${e.code}`);

  /** A website application of our enterprise for a fresh filing `<subject>-1`. */
  function website(overrides: Record<string, unknown> = {}) {
    return applicationBody({
      filingNumber: uniqueFilingNumber(1),
      subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: CREDIT_CODE },
      ...overrides,
    });
  }

  /** The registry row (our JSON shape) that matches `body`. */
  function rowFor(body: ReturnType<typeof website>, overrides: Record<string, unknown> = {}) {
    return {
      filingNumber: body.filingNumber,
      subjectName: body.subject.name,
      subjectType: body.subject.type,
      creditCode: body.subject.creditCode,
      websiteName: body.websiteName,
      domains: body.domains,
      ...overrides,
    };
  }

  async function importRows(records: unknown[]) {
    const answer = await agency('POST', '/v1/filing-registry', { records });
    expect(answer.status).toBe(200);
    expect(answer.body.rejected).toBe(0);
    return answer.body;
  }

  /** Creates a draft, uploads its closure proof through the presigned URL, submits it, waits until under review. */
  async function underReview(body: Record<string, unknown>): Promise<string> {
    const created = await agency('POST', '/v1/applications', body);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const upload = await agency('POST', `/v1/applications/${id}/evidence`, {
      kind: 'closure_proof',
      contentType: 'application/pdf',
      contentLength: PDF.length,
    });
    await fetch(upload.body.uploadUrl, { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body: PDF });
    await eventually(async () => {
      const app = await agency('GET', `/v1/applications/${id}`);
      return app.body.evidence?.[0]?.status === 'accepted' ? true : undefined;
    }, 'the evidence to be accepted');
    expect((await agency('POST', `/v1/applications/${id}/submit`)).status).toBe(202);
    await statusOf(id, 'under_review');
    return id;
  }

  const statusOf = (id: string, status: string) => journeys.statusOf(agency, id, status);

  describe('identifiers and kinds', () => {
    it('answers a bad filing number, credit code, ID number or domain with 400 naming each field and rule', async () => {
      // Act
      const answer = await agency(
        'POST',
        '/v1/applications',
        website({
          filingNumber: '京ICP备2020123号-1',
          domains: ['https://example.cn/', 'example.cn'],
          subject: { name: '张三', type: 'individual', idNumber: '110105194912310021', creditCode: '91110108551385082R' },
        }),
      );

      // Assess
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(errorsOf(answer.body).sort()).toEqual([
        'domains.0:url_not_domain',
        'filingNumber:invalid_digit_count',
        'subject.creditCode:invalid_check_character',
        'subject.idNumber:invalid_check_character',
      ]);
      expect((answer.body.errors as FieldError[]).find((e) => e.path === 'domains.0')?.message).toContain('"example.cn"');
    });

    it('refuses a domain with a space inside (400 on domains.1, nothing created) but takes one with spaces around it', async () => {
      // Prepare
      const filingNumber = uniqueFilingNumber(1);

      // Act
      const refused = await agency('POST', '/v1/applications', website({ filingNumber, domains: ['example.cn', 'exa mple.cn'] }));
      const accepted = await agency('POST', '/v1/applications', website({ filingNumber, domains: [' example.cn\u3000'] }));

      // Assess
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        { path: 'domains.1', code: 'space_in_domain', message: expect.stringContaining('remove it ("example.cn")') },
      ]);
      expect(accepted.status).toBe(201); // the refused request took no order on the filing
      expect(accepted.body.domains).toEqual(['example.cn']);
    });

    it('stores pasted identifiers in canonical form', async () => {
      // Prepare
      const number = uniqueFilingNumber(1);
      const pasted = ` ${number.replace('ICP', 'icp').replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))} `;

      // Act
      const answer = await agency(
        'POST',
        '/v1/applications',
        website({ filingNumber: pasted, domains: ['WWW.Example.CN', '例子.中国'], subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: CREDIT_CODE.toLowerCase() } }),
      );

      // Assess
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({
        filingNumber: number,
        domains: ['www.example.cn', 'xn--fsqu00a.xn--fiqs8s'],
        subject: { creditCode: CREDIT_CODE },
      });
    });

    it('refuses a number of the wrong kind for the cancellation kind', async () => {
      // Prepare
      const websiteNumber = uniqueFilingNumber(1);

      // Act
      const subjectWithWebsiteNumber = await agency('POST', '/v1/applications', website({ kind: 'cancel_subject', filingNumber: websiteNumber }));
      const websiteWithSubjectNumber = await agency('POST', '/v1/applications', website({ filingNumber: websiteNumber.replace(/-1$/, '') }));
      const licenceWithFilingNumber = await agency('POST', '/v1/applications', website({ kind: 'cancel_licence', filingNumber: websiteNumber }));

      // Assess
      expect(subjectWithWebsiteNumber.status).toBe(400);
      expect(errorsOf(subjectWithWebsiteNumber.body)).toEqual(['filingNumber:subject_number_required']);
      expect(errorsOf(websiteWithSubjectNumber.body)).toEqual(['filingNumber:website_number_required']);
      expect(errorsOf(licenceWithFilingNumber.body)).toEqual(['filingNumber:filing_number_given']);
    });
  });

  describe('the filing registry', () => {
    it('imports CSV in MIIT\'s export shape and JSON in ours, reporting bad rows by row and line', async () => {
      // Prepare
      const subject = uniqueFilingNumber(1).replace(/-1$/, '');
      const csv = [
        'mainLicence,serviceLicence,unitName,natureName,serviceName,domain,limitAccess,updateRecordTime',
        `${subject},${subject}-1,示例科技有限公司,企业,示例网站,example.cn,否,2024-05-01 10:00:00`,
        `${subject},${subject}-1,示例科技有限公司,企业,示例网站,www.example.cn,否,2024-05-01 10:00:00`,
        `${subject},${subject}-2,示例科技有限公司,企业,另一个网站,http://bad.example.cn,否,2024-05-01 10:00:00`,
      ].join('\n');

      // Act
      const imported = await agency('POST', '/v1/filing-registry', csv, { 'content-type': 'text/csv' });
      const json = await agency('POST', '/v1/filing-registry', {
        records: [{ filingNumber: `${subject}-3`, subjectName: '示例科技有限公司', subjectType: 'enterprise', creditCode: CREDIT_CODE, domains: ['three.cn'] }],
      });
      const record = await agency('GET', `/v1/filing-registry/${encodeURIComponent(`${subject}-1`)}`);
      const missing = await agency('GET', `/v1/filing-registry/${encodeURIComponent(`${subject}-9`)}`);
      const wrongType = await agency('POST', '/v1/filing-registry', 'a;b', { 'content-type': 'text/plain' });

      // Assess
      expect(imported.status).toBe(200);
      expect(imported.body).toEqual({
        rows: 3,
        imported: 1,
        rejected: 1,
        errors: [{ row: 3, line: 4, errors: [expect.objectContaining({ path: 'domain', code: 'url_not_domain' })] }],
      });
      expect(json.body).toEqual({ rows: 1, imported: 1, rejected: 0, errors: [] });
      expect(record.status).toBe(200);
      expect(record.body).toMatchObject({
        filingNumber: `${subject}-1`,
        subjectFilingNumber: subject,
        subjectType: 'enterprise',
        websiteName: '示例网站',
        domains: ['example.cn', 'www.example.cn'],
        importedAt: expect.any(String),
      });
      expect(missing.status).toBe(404);
      expect(wrongType.status).toBe(415);
    });

    it('refuses a submission that differs from the registry with 422, giving the registry\'s and the submitted value', async () => {
      // Prepare
      const body = website();
      await importRows([rowFor(body, { subjectName: '示例科技（北京）有限公司', creditCode: OTHER_CREDIT_CODE })]);

      // Act
      const answer = await agency('POST', '/v1/applications', body);

      // Assess
      expect(answer.status).toBe(422);
      expect(answer.body.errors).toEqual([
        expect.objectContaining({ path: 'subject.name', code: 'registry_mismatch', registryValue: '示例科技（北京）有限公司', submittedValue: '示例科技有限公司' }),
        expect.objectContaining({ path: 'subject.creditCode', code: 'registry_mismatch', registryValue: OTHER_CREDIT_CODE, submittedValue: CREDIT_CODE }),
      ]);
    });

    it('refuses removing only some of a website\'s domains (a change, not a cancellation)', async () => {
      // Prepare
      const body = website({ domains: ['example.cn'] });
      await importRows([rowFor(body, { domains: ['example.cn', 'example.com'] })]);

      // Act
      const answer = await agency('POST', '/v1/applications', body);

      // Assess
      expect(answer.status).toBe(400);
      expect(errorsOf(answer.body)).toEqual(['domains:partial_domain_removal']);
    });

    it('accepts a filing not in the registry with the not_in_registry warning', async () => {
      // Act
      const answer = await agency('POST', '/v1/applications', website());

      // Assess
      expect(answer.status).toBe(201);
      expect(answer.body.warnings).toEqual([{ code: 'not_in_registry', message: expect.stringContaining('INFO_MISMATCH') }]);
      expect((await agency('GET', `/v1/applications/${answer.body.id}`)).body.warnings).toEqual(answer.body.warnings);
    });

    it('warns when cancelling the last website of a subject would leave an empty subject', async () => {
      // Prepare
      const body = website();
      await importRows([rowFor(body)]);

      // Act
      const answer = await agency('POST', '/v1/applications', body);

      // Assess
      expect(answer.status).toBe(201);
      expect(answer.body.warnings).toEqual([
        { code: 'would_leave_empty_subject', message: expect.stringContaining(`cancel_subject with ${body.filingNumber.replace(/-1$/, '')}`) },
      ]);
    });
  });

  it('allows one open order per filing: a second → 409 naming the open application', async () => {
    // Prepare
    const body = website();
    const first = await agency('POST', '/v1/applications', body);

    // Act
    const second = await agency('POST', '/v1/applications', { ...body, filingNumber: body.filingNumber.replace('ICP', 'icp') });

    // Assess
    expect(second.status).toBe(409);
    expect(second.body.openApplicationId).toBe(first.body.id);
    expect(second.body.errors).toEqual([expect.objectContaining({ path: 'filingNumber', code: 'order_in_progress', message: expect.stringContaining(first.body.id) })]);
  });

  describe('review', () => {
    it('refuses a rejection code outside the catalogue with 400 listing the known codes', async () => {
      // Prepare
      const id = await underReview(website());

      // Act
      const answer = await operator('POST', `/v1/reviews/${id}/decision`, { outcome: 'rejected', reasons: [{ code: 'WRONG_NAME', message: 'x' }] });

      // Assess
      expect(answer.status).toBe(400);
      expect(errorsOf(answer.body)).toEqual(['reasons.0.code:unknown_rejection_code']);
      expect(answer.body.rejectionCodes).toEqual(expect.arrayContaining(['INFO_MISMATCH', 'SITE_STILL_REACHABLE', 'OTHER']));
      expect((await agency('GET', `/v1/applications/${id}`)).body.status).toBe('under_review');
    });

    it('gives each rejection reason its title and fix hint, in the application and in the signed webhook', async () => {
      // Prepare
      const id = await underReview(website());
      const reason = { code: 'INFO_MISMATCH', message: '主办单位名称与备案不一致' };
      const described = {
        ...reason,
        title: { zh: '信息与原备案不一致', en: 'Information does not match the filing' },
        fixHint: { zh: expect.stringContaining('工信部备案查询'), en: expect.stringContaining('MIIT public query') },
      };

      // Act
      expect((await operator('POST', `/v1/reviews/${id}/decision`, { outcome: 'rejected', reasons: [reason] })).status).toBe(202);
      const app = await statusOf(id, 'rejected');
      const hook = await eventually(
        async () => receiver.forApplication(id).find((h) => h.type === 'application.rejected'),
        'the rejection webhook',
      );

      // Assess
      expect(app.rejectionReasons).toEqual([described]);
      expect(hook.verified).toBe(true);
      expect(hook.body.data).toMatchObject({ applicationId: id, status: 'rejected', reasons: [described] });
    });
  });
});
