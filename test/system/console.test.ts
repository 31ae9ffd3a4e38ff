import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { REJECTION_REASONS } from '../../shared/domain/rejection-reasons.ts';
import { type ApiCall, apiClient, eventually } from '../support/api-client.ts';
import { launchChromium, screenshot } from '../support/browser.ts';
import { applicationBody, PDF } from '../support/fixtures.ts';
import { manifest, manifestRow } from '../support/manifest.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * The console in a real browser (Debian's Chromium, driven by playwright-core) against the local runtime, as an
 * agency's staff and an authority operator use it: a CSV batch through the preview to completion, and a rejection
 * recorded by the operator, corrected and resubmitted by the agency. Screenshots go to test-artifacts/screenshots.
 */
describe('the console, in Chromium', () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let agencyApi: ApiCall;
  let operatorApi: ApiCall;
  let agency: Page;
  let operator: Page;
  const contexts: BrowserContext[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-console-'));

  /** A page of its own browser context (its own sessionStorage), signed in with `key`. */
  async function signedIn(key: string): Promise<Page> {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${runtime.url}/console/`);
    await page.fill('input[name="apiKey"]', key);
    await page.click('button[type="submit"]');
    await page.waitForSelector('header nav a');
    return page;
  }

  beforeAll(async () => {
    [runtime, browser] = await Promise.all([
      startLocalRuntime({ port: 0, dataDir, authority: 'manual', authorityDelayMs: 0, timeScale: 0.001 }),
      launchChromium(),
    ]);
    agencyApi = apiClient(runtime.url, runtime.demoTenant.agencyKey);
    operatorApi = apiClient(runtime.url, runtime.demoTenant.operatorKey);
    [agency, operator] = await Promise.all([signedIn(runtime.demoTenant.agencyKey), signedIn(runtime.demoTenant.operatorKey)]);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the key out of the URL and storage other than the tab, and refuses a key the API does not know', async () => {
    // Prepare
    const context = await browser.newContext({ locale: 'en-US' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${runtime.url}/console/`);

    // Act
    await page.fill('input[name="apiKey"]', 'icp_agency_not-a-key-the-api-knows-0000000000000');
    await page.click('button[type="submit"]');
    const refused = await page.textContent('[role="alert"]');
    // Evaluated in the page (a string: this file is compiled without the DOM's types).
    const stored = (await agency.evaluate('({ session: { ...sessionStorage }, local: { ...localStorage }, url: location.href })')) as {
      session: Record<string, string>;
      local: Record<string, string>;
      url: string;
    };

    // Assess
    expect(refused).toContain('does not know this key');
    expect(Object.values(stored.session)).toEqual([runtime.demoTenant.agencyKey]);
    expect(JSON.stringify(stored.local)).not.toContain('icp_');
    expect(stored.url).not.toContain('icp_');
  });

  it('uploads a CSV batch through its preview and follows it to completion, the operator approving from the queue', async () => {
    // Prepare: one shared closure proof, referenced by the manifest's good rows.
    const upload = await agencyApi('POST', '/v1/batch-evidence', { kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length });
    await fetch(upload.body.uploadUrl, { method: 'PUT', headers: upload.body.headers, body: PDF });
    await eventually(async () => ((await agencyApi('GET', `/v1/batch-evidence/${upload.body.evidenceId}`)).body.status === 'accepted' ? true : undefined), 'the shared evidence');
    const evidence = { evidence: upload.body.evidenceId as string };
    const rows = [
      manifestRow(applicationBody(), evidence),
      manifestRow(applicationBody({ websiteName: '第二个网站' }), evidence),
      // A credit code with a wrong check character: refused by the preview and by the ingestion alike.
      manifestRow(applicationBody({ subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: '91330100799655058A' } }), evidence),
    ];

    // Act: the agency chooses the file, reads the preview, submits.
    await agency.click('a[href="#/batches/new"]');
    await agency.setInputFiles('input[name="manifest"]', { name: 'manifest.csv', mimeType: 'text/csv', buffer: Buffer.from(manifest(rows)) });
    const preview = await agency.waitForSelector('[data-preview-total]');
    const previewCounts = { valid: await preview.getAttribute('data-preview-valid'), total: await preview.getAttribute('data-preview-total') };
    const previewProblem = await agency.textContent('.preview tr[data-row="3"]');
    await screenshot(agency, '1-batch-preview');
    await agency.getByRole('button', { name: 'Submit the batch' }).click();
    await agency.waitForURL(/#\/batches\/bat_/);
    const batchId = decodeURIComponent(new URL(agency.url()).hash.split('/')[2] ?? '');
    await agency.waitForSelector('li[data-status="under_review"] >> text=2', { timeout: 30_000 });
    const refusedRow = await agency.waitForSelector('.report tr[data-outcome="refused"]');
    const refusedText = await refusedRow.textContent();
    await screenshot(agency, '2-batch-under-review');

    // The operator approves both from the review queue, oldest first.
    await operator.reload();
    for (let i = 0; i < 2; i++) {
      await operator.click('a[href^="#/reviews/app_"]');
      await operator.waitForSelector('[data-status="under_review"]');
      if (i === 0) await screenshot(operator, '3-operator-review');
      await operator.click('button[name="approve"]');
      await operator.waitForURL(/#\/reviews$/);
      await operator.reload();
    }
    await agency.waitForSelector('.batch-summary[data-status="completed"]', { timeout: 30_000 });
    const progress = await agency.getAttribute('.batch-summary [role="progressbar"]', 'aria-valuenow');
    await screenshot(agency, '4-batch-completed');

    // Assess
    expect(previewCounts).toEqual({ valid: '2', total: '3' });
    expect(previewProblem).toContain('invalid_check_character');
    expect(refusedText).toContain('invalid_check_character');
    expect(refusedText).toContain('creditCode');
    expect(progress).toBe('100');
    const batch = await agencyApi('GET', `/v1/batches/${batchId}`);
    expect(batch.body).toMatchObject({ status: 'completed', rows: { total: 3, accepted: 2, rejected: 1 }, counts: { approved: 2 } });
  });

  it('shows an overdue review to the operator, who rejects it; the agency reads the hint, corrects and resubmits', async () => {
    // Prepare: a draft, made through the API (the console manages applications, it does not key them in).
    const body = applicationBody({ websiteName: '旧网站名称' });
    const created = await agencyApi('POST', '/v1/applications', body);
    const id = created.body.id as string;

    // Act: the agency uploads the closure proof and submits, in the console.
    await agency.goto(`${runtime.url}/console/#/applications`);
    await agency.fill('input[name="search"]', body.filingNumber);
    await agency.click(`tr[data-application="${id}"] a`);
    await agency.setInputFiles('input[name="evidence"]', { name: 'closure.pdf', mimeType: 'application/pdf', buffer: PDF });
    await agency.click('button[name="upload"]');
    await agency.waitForSelector('tr[data-evidence][data-status="accepted"] [data-view-evidence]');
    await agency.click('button[name="submit"]');
    await agency.waitForSelector(`[data-application="${id}"][data-status="under_review"]`, { timeout: 30_000 });
    const deadline = (await agencyApi('GET', `/v1/applications/${id}`)).body.reviewDeadline.date as string;

    // The operator's browser is two days past the deadline: the queue flags the review overdue.
    const pastDeadline = new Date(Date.parse(`${deadline}T12:00:00+08:00`) + 2 * 86_400_000);
    await operator.clock.setFixedTime(pastDeadline);
    await operator.goto(`${runtime.url}/console/#/reviews`);
    await operator.reload();
    const overdue = await operator.waitForSelector(`tr[data-application="${id}"] [data-overdue]`);
    await screenshot(operator, '5-operator-queue-overdue');
    await operator.click(`tr[data-application="${id}"] a`);
    // "View" asks for a link at the click and opens the file in a new tab: the PDF as uploaded, shown inline.
    // The new tab is taken from the context's `page` event: the response's frame may not exist yet when it arrives.
    const [viewed, tab] = await Promise.all([
      operator.context().waitForEvent('response', (r) => r.url().includes('X-Amz-Signature') && r.request().method() === 'GET'),
      operator.context().waitForEvent('page'),
      operator.click('tr[data-evidence][data-status="accepted"] [data-view-evidence]'),
    ]);
    // The tab's PDF viewer takes the body over, so the bytes are read again from the same URL (valid for minutes).
    const view = { status: viewed.status(), type: viewed.headers()['content-type'], disposition: viewed.headers()['content-disposition'], bytes: await (await fetch(viewed.url())).arrayBuffer() };
    await tab.close();
    await operator.click('button[name="sms"]');
    const smsSent = await (await operator.waitForSelector('[data-sms-sent]')).textContent();
    await operator.selectOption('select[name="reason-0"]', 'INFO_MISMATCH');
    await operator.fill('input[name="message-0"]', 'The website name differs from the filing');
    await operator.click('button[name="reject"]');
    await operator.waitForURL(/#\/reviews$/);

    // The agency sees the rejection with its hint, corrects the website name and resubmits.
    const reason = await agency.waitForSelector('[data-reason="INFO_MISMATCH"]', { timeout: 30_000 });
    const reasonText = await reason.textContent();
    await screenshot(agency, '6-agency-rejected');
    await agency.fill('input[name="websiteName"]', '示例网站');
    await agency.click('button[name="resubmit"]');
    await agency.waitForSelector(`[data-application="${id}"][data-status="under_review"]`, { timeout: 30_000 });
    await agency.click('header button:has-text("中文")');
    const chineseTitle = await agency.textContent('header .brand');
    await screenshot(agency, '7-agency-resubmitted-zh');

    // Assess
    expect(await overdue.textContent()).toBe('overdue');
    expect(view).toMatchObject({ status: 200, type: 'application/pdf', disposition: expect.stringMatching(/^inline; /) });
    expect(Buffer.from(view.bytes)).toEqual(PDF);
    expect(smsSent).toContain('Code texted to the website principal');
    expect(reasonText).toContain('The website name differs from the filing');
    expect(reasonText).toContain(REJECTION_REASONS.INFO_MISMATCH.fixHint.en);
    expect(chineseTitle).toBe('ICP 备案注销');
    const app = (await agencyApi('GET', `/v1/applications/${id}`)).body;
    expect(app).toMatchObject({ status: 'under_review', attempts: 2, websiteName: '示例网站' });
    expect(app.timeline.map((e: { status: string }) => e.status)).toEqual(['draft', 'submitted', 'under_review', 'rejected', 'submitted', 'under_review']);
    expect((await operatorApi('GET', `/v1/applications/${id}`)).status).toBe(200);
  });
  it('registers a webhook endpoint (its secret shown once), lists its deliveries and attempts, redelivers, rotates the secret', async () => {
    // Prepare: a customer's receiver on loopback (allowed by the local runtime), answering 500 to the first attempt.
    const receiver = await startWebhookReceiver();
    try {
      receiver.failNext(1);

      // Act: the agency adds the endpoint for application.created only, then a draft is created.
      await agency.goto(`${runtime.url}/console/#/webhooks`);
      await agency.fill('input[name="url"]', receiver.url);
      await agency.check('input[type="checkbox"][value="application.created"]');
      await agency.click('button[name="add"]');
      const secret = await (await agency.waitForSelector('[data-secret-for]')).textContent();
      receiver.useSecret(secret ?? '');
      const created = await agencyApi('POST', '/v1/applications', applicationBody());
      const endpointId = (await agency.getAttribute('tr[data-endpoint]', 'data-endpoint')) ?? '';
      await eventually(async () => ((await agencyApi('GET', `/v1/webhook-endpoints/${endpointId}/deliveries`)).body.items?.length ? true : undefined), 'the delivery');
      await agency.click(`tr[data-endpoint="${endpointId}"] a`);
      await agency.click('tr[data-delivery] a');
      // The first attempt failed (500); the retry workflow's next one delivered it (the page follows a pending delivery).
      await agency.waitForSelector('tr[data-attempt="2"]', { timeout: 30_000 });
      const attempts = await agency.$$eval('tr[data-attempt] td:nth-child(4)', (cells) => cells.map((c) => c.textContent));
      await screenshot(agency, '8-webhook-delivery');
      await agency.click('button[name="redeliver"]');
      await eventually(async () => (receiver.forApplication(created.body.id as string).length >= 2 ? true : undefined), 'the redelivery');
      await agency.goto(`${runtime.url}/console/#/webhooks`);
      await agency.click('button[name="rotate"]');
      const rotated = await (await agency.waitForSelector(`[data-secret-for]:not(:text-is("${secret}"))`)).textContent();

      // Assess
      expect(secret).toMatch(/^whsec_/);
      expect(attempts).toEqual(['500', '204']);
      const received = receiver.forApplication(created.body.id as string);
      expect(received.map((w) => [w.type, w.verified])).toEqual([
        ['application.created', true],
        ['application.created', true],
      ]);
      expect(received[0]?.id).toBe(received[1]?.id); // a redelivery keeps its webhook-id
      expect(rotated).toMatch(/^whsec_/);
      expect(rotated).not.toBe(secret);
    } finally {
      await receiver.stop();
    }
  });
});
