import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../cli/program.ts';
import { batchView, captureIo, startFakeApi } from './fake-api.ts';

describe('icp-cancel arguments and configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'icp-cli-args-'));
  let api: Awaited<ReturnType<typeof startFakeApi>>;

  beforeAll(async () => {
    writeFileSync(join(dir, 'ok.csv'), 'kind,filingNumber\ncancel_website,京ICP备10046444号-9\n');
    api = await startFakeApi({
      'GET /v1/batches/bat_1': () => ({ body: batchView({ status: 'ingesting', rows: { total: 2, processed: 1 } }) }),
    });
  });
  afterAll(async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the help and the version with exit 0', async () => {
    const help = captureIo(dir);
    expect(await run(['batch', 'submit', '--help'], help.io)).toBe(0);
    expect(help.stdout()).toContain('Usage: icp-cancel batch submit [options] <manifest>');
    expect(help.stdout()).toContain('--idempotency-key <key>');

    const version = captureIo(dir);
    expect(await run(['--version'], version.io)).toBe(0);
    expect(version.stdout()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it.each([
    [['batch', 'frob'], /unknown command 'frob'/],
    [['batch', 'submit'], /missing required argument 'manifest'/],
    [['batch', 'status', 'bat_1', '--bogus'], /unknown option '--bogus'/],
  ])('refuses %j with a usage error (exit 2)', async (argv, message) => {
    const cli = captureIo(dir, { ICP_API_URL: api.url, ICP_API_KEY: 'k' });
    expect(await run(argv, cli.io)).toBe(2);
    expect(cli.stderr()).toMatch(message);
    expect(api.requests).toHaveLength(0);
  });

  it('exits 2 with one line when the API URL or key is missing, before any request', async () => {
    const noUrl = captureIo(dir, { ICP_API_KEY: 'k' });
    expect(await run(['batch', 'status', 'bat_1'], noUrl.io)).toBe(2);
    expect(noUrl.stderr()).toBe('icp-cancel: No API URL: pass --api-url or set ICP_API_URL (e.g. http://localhost:3000).\n');

    const noKey = captureIo(dir, { ICP_API_URL: api.url });
    expect(await run(['batch', 'submit', 'ok.csv'], noKey.io)).toBe(2);
    expect(noKey.stderr()).toMatch(/^icp-cancel: No API key: pass --api-key or set ICP_API_KEY/);

    const badUrl = captureIo(dir, { ICP_API_URL: 'localhost:3000', ICP_API_KEY: 'k' });
    expect(await run(['batch', 'status', 'bat_1'], badUrl.io)).toBe(2);
    expect(badUrl.stderr()).toMatch(/must be http\(s\)/);

    const badInterval = captureIo(dir, { ICP_API_URL: api.url, ICP_API_KEY: 'k' });
    expect(await run(['batch', 'status', 'bat_1', '--watch', '--interval', 'soon'], badInterval.io)).toBe(2);
    expect(badInterval.stderr()).toMatch(/--interval takes a number of seconds/);
    expect(api.requests).toHaveLength(0);
  });

  it('takes the URL and key from the environment, and flags over the environment', async () => {
    // Env only
    const fromEnv = captureIo(dir, { ICP_API_URL: api.url, ICP_API_KEY: 'env-key' });
    expect(await run(['batch', 'status', 'bat_1'], fromEnv.io)).toBe(0);
    expect(api.requests.at(-1)?.headers.authorization).toBe('Bearer env-key');
    expect(fromEnv.stdout()).toMatch(/ingesting · rows 1\/2\n$/);

    // Flags win (the env URL points nowhere)
    const flags = captureIo(dir, { ICP_API_URL: 'http://127.0.0.1:1', ICP_API_KEY: 'env-key' });
    expect(await run(['batch', 'status', 'bat_1', '--api-url', `${api.url}/`, '--api-key', 'flag-key', '--json'], flags.io)).toBe(0);
    expect(api.requests.at(-1)).toMatchObject({ path: '/v1/batches/bat_1', headers: { authorization: 'Bearer flag-key' } });
    expect(JSON.parse(flags.stdout())).toMatchObject({ id: 'bat_1', status: 'ingesting' });
  });

  it.each([
    ['missing.csv', undefined, /^icp-cancel: Cannot read the manifest missing.csv: no such file\.$/],
    ['empty.csv', Buffer.alloc(0), /is empty/],
    ['book.xlsx', Buffer.from('PK\x03\x04rest-of-a-zip', 'latin1'), /spreadsheet workbook, not CSV: save it as "CSV UTF-8/],
    // 京ICP备 in GBK: not valid UTF-8
    ['gbk.csv', Buffer.concat([Buffer.from('kind,filingNumber\ncancel_website,'), Buffer.from('bea9494350b1b8', 'hex')]), /not UTF-8 \(GBK\?\)/],
    ['one-column.txt', Buffer.from('hello\nworld\n'), /no comma-separated header row/],
  ])('refuses the manifest %s before creating a batch (exit 1)', async (name, content, message) => {
    if (content) writeFileSync(join(dir, name), content);
    const before = api.requests.length;
    const cli = captureIo(dir, { ICP_API_URL: api.url, ICP_API_KEY: 'k' });
    expect(await run(['batch', 'submit', name], cli.io)).toBe(1);
    expect(cli.stderr().trim()).toMatch(message);
    expect(cli.stderr().trim().split('\n')).toHaveLength(1);
    expect(api.requests.length).toBe(before);
  });

  it('refuses a directory as a manifest', async () => {
    const cli = captureIo(dir, { ICP_API_URL: api.url, ICP_API_KEY: 'k' });
    expect(await run(['batch', 'submit', '.'], cli.io)).toBe(1);
    expect(cli.stderr()).toBe('icp-cancel: The manifest . is not a file.\n');
  });
});
