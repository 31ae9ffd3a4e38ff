import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateManifest } from '../../bench/manifest.ts';
import { type LocalRuntime, REPO_ROOT, startLocalRuntime } from '../../infra/local/runtime.ts';
import { type ApiCall, apiClient, eventually } from '../support/api-client.ts';
import { PDF } from '../support/fixtures.ts';
import { statusOf } from '../support/journeys.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

const exec = promisify(execFile);

/** Runs `icp-cancel …` in `cwd` as a separate process with only `env` (and PATH) in its environment; never throws. */
async function runCli(cwd: string, env: Record<string, string>, args: string[]) {
  const bin = join(REPO_ROOT, 'cli', 'icp-cancel.mjs');
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * The agencies' command-line client as they run it — a separate Node process started through the package's `bin`
 * launcher — against the whole local runtime: shared evidence, a 20-row manifest with 2 bad rows submitted with
 * `--watch` until every application is decided by the simulated authority, and the report it writes.
 */
describe('icp-cancel CLI on the local runtime', () => {
  let runtime: LocalRuntime;
  let agency: ApiCall;
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-cli-system-'));
  const work = mkdtempSync(join(tmpdir(), 'icp-cli-work-'));

  /** Runs `icp-cancel …` in `work` with only the API's URL and key in its environment. */
  const cli = (...args: string[]) => runCli(work, { ICP_API_URL: runtime.url, ICP_API_KEY: runtime.demoTenant.agencyKey }, args);

  beforeAll(async () => {
    runtime = await startLocalRuntime({ port: 0, dataDir, authority: 'simulated', authorityDelayMs: 100, timeScale: 0.001 });
    agency = apiClient(runtime.url, runtime.demoTenant.agencyKey);
  });

  afterAll(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('submits a manifest with --watch to completion and writes a correct report', async () => {
    // Prepare: one closure proof shared by every row, then the manifest referencing it.
    writeFileSync(join(work, 'closure.pdf'), PDF);
    const evidence = await cli('evidence', 'upload', 'closure.pdf', '--kind', 'closure_proof', '--interval', '0.1');
    expect(evidence, evidence.stderr).toMatchObject({ code: 0 });
    const evidenceId = evidence.stdout.trim();
    expect(evidenceId).toMatch(/^ev_/);
    const manifest = generateManifest({ rows: 20, badRatio: 0.1, ref: 'cli-system', evidence: evidenceId });
    expect([...manifest.bad.values()]).toEqual(['credit_code_check', 'filing_number_without_hao']);
    writeFileSync(join(work, '代理 manifest.csv'), manifest.csv);

    // Act
    const submitted = await cli('batch', 'submit', '代理 manifest.csv', '--watch', '--interval', '0.2');

    // Assess: the exit, the id on stdout, the progress and the summary on stderr
    expect(submitted, submitted.stderr).toMatchObject({ code: 0 });
    const batchId = submitted.stdout.trim();
    expect(batchId).toMatch(/^bat_/);
    expect(submitted.stderr).toContain(`Batch ${batchId}: uploaded.`);
    expect(submitted.stderr).toMatch(/100%\s+completed · rows 20\/20, 2 refused · approved 18/);
    expect(submitted.stderr).toContain('Report written to 代理 manifest.csv.report.csv: 18 applications; 2 rows refused;');

    // The report: one line per row, the two bad rows refused with the field and the rule, the others created.
    const reportText = readFileSync(join(work, '代理 manifest.csv.report.csv'), 'utf8');
    const report = parse(reportText, { columns: true, bom: true }) as Record<string, string>[];
    expect(report.map((r) => Number(r.row))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const refused = report.filter((r) => r.outcome === 'refused');
    // Several errors of a row share its line, joined by " | " (the n-th path goes with the n-th code).
    const errorsOf = (r: Record<string, string> | undefined) => {
      const paths = (r?.errorPath ?? '').split(' | ');
      return (r?.errorCode ?? '').split(' | ').map((code, i) => `${paths[i]}:${code}`);
    };
    expect(refused.map((r) => Number(r.row))).toEqual([6, 16]);
    expect(errorsOf(refused[0])).toContainEqual(expect.stringMatching(/creditCode:invalid_check_character$/));
    expect(errorsOf(refused[1])).toContainEqual(expect.stringMatching(/filingNumber:missing_hao$/));
    const createdRows = report.filter((r) => r.outcome === 'created');
    expect(createdRows).toHaveLength(18);
    for (const row of createdRows) {
      expect(row.applicationId).toMatch(/^app_/);
      expect(row.filingNumber).toBe(manifest.rows[Number(row.row) - 1]?.filingNumber);
    }

    // The applications behind the report: the batch's, all approved.
    const listed = await agency('GET', `/v1/applications?batchId=${batchId}&limit=200`);
    expect(listed.status).toBe(200);
    const applications = listed.body.items as { id: string; status: string }[];
    expect(applications.map((a) => a.id).sort()).toEqual(createdRows.map((r) => r.applicationId).sort());
    expect(new Set(applications.map((a) => a.status))).toEqual(new Set(['approved']));

    // status and report as separate commands agree with what --watch wrote.
    const status = await cli('batch', 'status', batchId);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/100%\s+completed · rows 20\/20, 2 refused · approved 18\n$/);
    const downloaded = await cli('batch', 'report', batchId);
    expect(downloaded.code).toBe(0);
    expect(downloaded.stdout).toBe(reportText);
    const batches = await cli('batch', 'list', '--limit', '5');
    expect(batches.code).toBe(0);
    expect(batches.stdout.split('\n')[0]).toMatch(new RegExp(`^${batchId}  \\S+  \\S+ 100%\\s+completed · rows 20/20, 2 refused · approved 18$`));
    expect((await cli('batch', 'list', '--limit', '0')).code).toBe(2);

    // The same command again finds the same batch through its derived idempotency key: nothing new.
    const again = await cli('batch', 'submit', '代理 manifest.csv');
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe(batchId);
    expect(again.stderr).toMatch(/already exists for this idempotency key \(completed\): nothing new created/);
  });

  it('releases a held batch: submit --hold, then batch release submits its drafts and the batch completes', async () => {
    // Prepare
    writeFileSync(join(work, 'closure.pdf'), PDF);
    const evidence = await cli('evidence', 'upload', 'closure.pdf', '--kind', 'closure_proof', '--interval', '0.1');
    const manifest = generateManifest({ rows: 4, badRatio: 0, series: 7, ref: 'cli-release', evidence: evidence.stdout.trim() });
    writeFileSync(join(work, 'held.csv'), manifest.csv);
    const held = await cli('batch', 'submit', 'held.csv', '--hold');
    const batchId = held.stdout.trim();
    await eventually(async () => ((await agency('GET', `/v1/batches/${batchId}`)).body.status === 'ingested' ? true : undefined), 'the held batch to be ingested');

    // Act
    const released = await cli('batch', 'release', batchId);
    const watched = await cli('batch', 'status', batchId, '--watch', '--interval', '0.2');

    // Assess
    expect(held, held.stderr).toMatchObject({ code: 0 });
    expect(released, released.stderr).toMatchObject({ code: 0 });
    expect(released.stdout).toBe(`Batch ${batchId}: 4 submitted, 0 waiting for their files (submitted when accepted), 0 not drafts.\n`);
    expect(watched.stdout).toMatch(/100%\s+completed · rows 4\/4 · approved 4\n$/);
    expect((await cli('batch', 'release', batchId, '--json')).stdout).toBe(`${JSON.stringify({ batchId, submitted: 0, waiting: 0, skipped: 4 })}\n`);
  });

  it('exits 1 with the API\'s message and its field errors for an unknown batch and a wrong key', async () => {
    const unknown = await cli('batch', 'status', 'bat_00000000000000000000000000');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^icp-cancel: GET \/v1\/batches\/bat_0+ failed with 404: Not found/);

    const wrongKey = await cli('batch', 'status', 'bat_1', '--api-key', 'icp_agency_wrong');
    expect(wrongKey.code).toBe(1);
    // One line, then the problem's field errors, indented.
    expect(wrongKey.stderr).toBe(
      'icp-cancel: GET /v1/batches/bat_1 failed with 401: Missing or unknown API key: The API key is not known.\n' +
        '  - (headers).authorization: Check the key; ask your administrator for a new one if it was revoked. (unknown_api_key)\n',
    );
  });
});

/**
 * One application through the whole API with the CLI alone, the authority's decisions recorded by an operator (manual
 * authority): create → evidence upload → submit → reject → resubmit with a correction → approve; the webhook endpoint
 * added, listed and its deliveries read; every `--json` parses.
 */
describe('icp-cancel CLI: one application, reviews and webhooks (manual authority)', () => {
  let runtime: LocalRuntime;
  let agency: ApiCall;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-cli-manual-'));
  const work = mkdtempSync(join(tmpdir(), 'icp-cli-manual-work-'));
  const cli = (...args: string[]) =>
    runCli(work, { ICP_API_URL: runtime.url, ICP_API_KEY: runtime.demoTenant.agencyKey, ICP_OPERATOR_KEY: runtime.demoTenant.operatorKey }, args);
  const json = (out: { stdout: string }) => JSON.parse(out.stdout) as Record<string, unknown> & { items: Record<string, unknown>[] };

  beforeAll(async () => {
    runtime = await startLocalRuntime({ port: 0, dataDir, authority: 'manual', authorityDelayMs: 0, timeScale: 0.001 });
    agency = apiClient(runtime.url, runtime.demoTenant.agencyKey);
    receiver = await startWebhookReceiver();
    writeFileSync(join(work, 'closure.pdf'), PDF);
  });

  afterAll(async () => {
    await receiver?.stop();
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('creates, uploads, submits, is rejected, resubmits a correction and is approved, with its webhooks delivered', async () => {
    // Prepare: an endpoint for the events, its secret given to the receiver.
    const added = await cli('webhooks', 'add', receiver.url, '--json');
    expect(added, added.stderr).toMatchObject({ code: 0 });
    const endpoint = json(added);
    expect(endpoint).toMatchObject({ url: receiver.url, status: 'enabled', secret: expect.stringMatching(/^whsec_/) });
    receiver.useSecret(endpoint.secret as string);

    // Act: the agency's part and the operator's, each a CLI command.
    const created = await cli(
      'applications', 'create',
      '--kind', 'cancel_website', '--filing-number', '京ICP备10046444号-9', '--website-name', '示例网站', '--domain', 'example.cn',
      '--subject-name', '示例科技有限公司', '--subject-type', 'enterprise', '--credit-code', '91330100799655058B',
      '--reason', 'business_change', '--site-since', '2026-11-01', '--customer-ref', 'cli-order-1',
    );
    const id = created.stdout.trim();
    const uploaded = await cli('evidence', 'upload', id, 'closure.pdf', '--interval', '0.1');
    const submitted = await cli('applications', 'submit', id);
    await statusOf(agency, id, 'under_review');
    const rejected = await cli('reviews', 'decide', id, '--reject', '--reason', 'DOCUMENT_UNCLEAR: The scan is blurred');
    await statusOf(agency, id, 'rejected');
    const shown = await cli('applications', 'get', id, '--lang', 'en');
    const resubmitted = await cli('applications', 'resubmit', id, '--website-name', '示例网站（新）');
    await statusOf(agency, id, 'under_review');
    const approved = await cli('reviews', 'decide', id, '--approve');
    await statusOf(agency, id, 'approved');
    const final = await cli('applications', 'get', id, '--json');

    // Assess: each step's exit and output
    expect(created, created.stderr).toMatchObject({ code: 0 });
    expect(id).toMatch(/^app_/);
    expect(created.stderr).toContain(`Application ${id} created (draft); needs closure_proof.`);
    expect(uploaded, uploaded.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ev_\w+\n$/) });
    expect(uploaded.stderr).toMatch(/^closure\.pdf: accepted as closure_proof \(SHA-256 [0-9a-f]{64}\)\.\n$/);
    expect(submitted).toMatchObject({ code: 0, stdout: `${id}: submitted (attempt 1)\n` });
    expect(rejected).toMatchObject({ code: 0, stdout: `${id}: rejected recorded for attempt 1\n` });
    expect(shown.stdout).toMatch(new RegExp(`^${id}  rejected \\(attempt 1\\)\n`));
    expect(shown.stdout).toMatch(/\n {2}rejected for {2}DOCUMENT_UNCLEAR .+: The scan is blurred — .+\n/);
    expect(resubmitted, resubmitted.stderr).toMatchObject({ code: 0, stdout: `${id}: submitted (attempt 2)\n` });
    expect(approved).toMatchObject({ code: 0, stdout: `${id}: approved recorded for attempt 2\n` });
    expect(json(final)).toMatchObject({ id, status: 'approved', attempts: 2, websiteName: '示例网站（新）', missingEvidence: [] });
    expect((json(final).timeline as { status: string }[]).map((t) => t.status)).toEqual([
      'draft', 'submitted', 'under_review', 'rejected', 'submitted', 'under_review', 'approved',
    ]);

    // The application in the list, and its webhooks: delivered to the receiver, verified, and in the endpoint's log.
    await eventually(async () => (receiver.forApplication(id).some((h) => h.type === 'application.approved') ? true : undefined), 'the approved webhook');
    // Reads that depend on nothing but the above, at once (each is a Node process).
    const [listed, webhooks, text] = await Promise.all([
      cli('applications', 'list', '--json'),
      cli('webhooks', 'list', '--json'),
      cli('webhooks', 'deliveries', endpoint.id as string),
    ]);
    expect(json(listed).items).toContainEqual(expect.objectContaining({ id, status: 'approved', customerRef: 'cli-order-1' }));
    expect(json(webhooks).items).toEqual([expect.objectContaining({ id: endpoint.id, url: receiver.url })]);
    expect(json(webhooks).items[0]).not.toHaveProperty('secret');
    expect(receiver.forApplication(id).every((h) => h.verified)).toBe(true);
    const deliveries = await eventually(async () => {
      const page = json(await cli('webhooks', 'deliveries', endpoint.id as string, '--json'));
      return page.items.some((d) => d.eventType === 'application.approved' && d.status === 'delivered') ? page : undefined;
    }, 'the approved delivery in the log');
    expect(deliveries.items.map((d) => d.eventType)).toEqual(expect.arrayContaining(['application.created', 'application.rejected', 'application.approved']));
    // One delivery a line; the newest may still be on its way when the list is read.
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const line of lines) expect(line).toMatch(/^dlv_\w+ {2}application\.[a-z_]+ {2}(pending|delivered) {2}\d+ attempts? {2}\S+$/);
  });

  it("exits 1 with the real API's refusal: the operator scope, a field error pointed at its flag", async () => {
    const agencyDecides = await cli('reviews', 'decide', 'app_1', '--approve', '--api-key', runtime.demoTenant.agencyKey);
    expect(agencyDecides.code).toBe(1);
    expect(agencyDecides.stderr).toMatch(/failed with 403: .*operator scope/);

    const badCode = await cli(
      'applications', 'create', '--kind', 'cancel_website', '--filing-number', '京ICP备10046444号-8', '--website-name', '示例网站',
      '--domain', 'example.cn', '--subject-name', '示例科技有限公司', '--subject-type', 'enterprise', '--credit-code', '91330100799655058C',
      '--reason', 'business_change', '--site-since', '2026-11-01',
    );
    expect(badCode.code).toBe(1);
    expect(badCode.stderr).toMatch(/\n {2}- subject\.creditCode: .+ \(invalid_check_character\) \[--credit-code\]\n/);
  });
});
