import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAdmin } from '../../infra/admin/admin.ts';
import { REPO_ROOT } from '../../infra/local/runtime.ts';

/**
 * `npm start` as a user runs it: a separate process that prints its URL, keys and DynamoDB endpoint (for `npm run admin`),
 * serves, and stops cleanly on SIGTERM (exit code 0, DynamoDB Local's Java process gone with it).
 */
describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves with the keys it prints, serves a second tenant made with the admin command, and stops cleanly on SIGTERM', async () => {
    // Prepare
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'ERROR', AUTHORITY: 'manual' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    // Act
    const started = Date.now();
    while (!/Stop with Ctrl\+C/.test(output) && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 50));
    const url = /running locally at (\S+)/.exec(output)?.[1];
    const key = /agency key:\s+(\S+)/.exec(output)?.[1];
    const listed = await fetch(`${url}/v1/applications`, { headers: { authorization: `Bearer ${key}` } });
    // A second tenant, as README says: the admin command pointed at the DynamoDB Local endpoint it prints.
    const [, endpoint, table] = /DynamoDB:\s+(\S+), table (\S+)/.exec(output) ?? [];
    let created = '';
    const adminEnv = { AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_REGION: 'local', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
    const savedEnv = { ...process.env };
    Object.assign(process.env, adminEnv);
    const adminCode = await runAdmin(['tenant', 'create', '--name', 'Second agency', '--table', table ?? '', '--json'], {
      stdout: { write: (s: string) => (created += s) },
      stderr: { write: (s: string) => (created += s) },
      env: process.env,
    }).finally(() => (process.env = savedEnv));
    const second = JSON.parse(created) as { agencyKey: string };
    const secondListed = await fetch(`${url}/v1/applications`, { headers: { authorization: `Bearer ${second.agencyKey}` } });
    child.kill('SIGTERM');
    const code = await exited;

    // Assess
    console.log(`npm start was ready in ${Date.now() - started} ms (first start of this data folder)`);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(listed.status).toBe(200);
    expect(adminCode).toBe(0);
    expect(secondListed.status).toBe(200);
    expect(code).toBe(0);
    expect(output).toContain('stopping');
    const dynamoProcesses = await new Promise<string>((resolve) => {
      const ps = spawn('ps', ['-eo', 'args']);
      let out = '';
      ps.stdout.on('data', (c: Buffer) => (out += c.toString()));
      ps.on('exit', () => resolve(out));
    });
    expect(dynamoProcesses.split('\n').filter((line) => line.includes('DynamoDBLocal') && line.includes(dataDir))).toEqual([]);
  });
});
