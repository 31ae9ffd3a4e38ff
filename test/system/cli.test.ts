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

const exec = promisify(execFile);

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

  /** Runs `icp-cancel …` in `work` with only the API's URL and key in its environment; never throws. */
  async function cli(...args: string[]) {
    const bin = join(REPO_ROOT, 'cli', 'icp-cancel.mjs');
    const env = { PATH: process.env.PATH ?? '', ICP_API_URL: runtime.url, ICP_API_KEY: runtime.demoTenant.agencyKey };
    try {
      const { stdout, stderr } = await exec(process.execPath, [bin, ...args], { cwd: work, env, timeout: 90_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

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
