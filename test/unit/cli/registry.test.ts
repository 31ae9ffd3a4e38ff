import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { FilingRecord, RegistryImportReport } from '../../../cli/api-types.ts';
import { run } from '../../../cli/program.ts';
import { bodyOf, captureIo, startFakeApi } from './fake-api.ts';

const CSV = '\uFEFFfilingNumber,subjectName,subjectType,domains\n京ICP备10046444号-9,示例科技有限公司,企业,"example.cn example.com"\n京ICP备1号-1,x,企业,a.cn\n';
const REPORT: RegistryImportReport = {
  rows: 2,
  imported: 1,
  rejected: 1,
  errors: [{ row: 2, line: 3, errors: [{ path: 'filingNumber', code: 'invalid_digit_count', message: 'Filing numbers have 6, 8 or 10 digits.' }] }],
};

describe('icp-cancel registry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'icp-cli-registry-'));
  let api: Awaited<ReturnType<typeof startFakeApi>> | undefined;
  const env = () => ({ ICP_API_URL: api?.url, ICP_API_KEY: 'icp_agency_test' });
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sends a CSV file as it is, as text/csv, and prints what was imported and each refused row (exit 0)', async () => {
    // Prepare
    writeFileSync(join(dir, 'registry.csv'), CSV);
    api = await startFakeApi({ 'POST /v1/filing-registry': () => ({ body: REPORT }) });
    const cli = captureIo(dir, env());

    // Act
    const code = await run(['registry', 'import', 'registry.csv'], cli.io);

    // Assess
    expect(code).toBe(0);
    const [request] = api.requests;
    expect(request?.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(request?.body.toString('utf8')).toBe(CSV);
    expect(cli.stdout()).toBe('2 rows: 1 imported, 1 refused.\n  row 2 (line 3): filingNumber: Filing numbers have 6, 8 or 10 digits. (invalid_digit_count)\n');
  });

  it('sends JSON as { records }, wrapping a bare array, and --json prints the report as the API answers', async () => {
    const record = { filingNumber: '京ICP备10046444号-9', subjectName: '示例科技有限公司', subjectType: 'enterprise' };
    writeFileSync(join(dir, 'records.json'), JSON.stringify({ records: [record] }));
    writeFileSync(join(dir, 'export.txt'), ` ${JSON.stringify([record])}`);
    api = await startFakeApi({ 'POST /v1/filing-registry': () => ({ body: { ...REPORT, errors: [] } }) });

    const json = captureIo(dir, env());
    expect(await run(['registry', 'import', 'records.json', '--json'], json.io)).toBe(0);
    expect(await run(['registry', 'import', 'export.txt'], captureIo(dir, env()).io)).toBe(0);

    expect(api.requests.map((r) => r.headers['content-type'])).toEqual(['application/json', 'application/json']);
    expect(api.requests.map(bodyOf)).toEqual([{ records: [record] }, { records: [record] }]);
    expect(JSON.parse(json.stdout())).toEqual({ ...REPORT, errors: [] });
  });

  it.each([
    ['missing.csv', undefined, 'icp-cancel: Cannot read missing.csv: no such file.\n'],
    ['gbk.csv', Buffer.from('bea9494350b1b8', 'hex'), 'icp-cancel: gbk.csv is not UTF-8 (GBK?): save it as "CSV UTF-8".\n'],
    ['broken.json', Buffer.from('{"records": ['), /^icp-cancel: broken\.json is not JSON: /],
  ])('refuses %s before any request (exit 1)', async (name, content, message) => {
    if (content) writeFileSync(join(dir, name), content);
    api = await startFakeApi({});
    const cli = captureIo(dir, env());
    expect(await run(['registry', 'import', name], cli.io)).toBe(1);
    expect(cli.stderr()).toMatch(message);
    expect(api.requests).toHaveLength(0);
  });

  it('shows a filing record, its number encoded in the path', async () => {
    const record: FilingRecord = {
      filingNumber: '京ICP备10046444号-9',
      subjectFilingNumber: '京ICP备10046444号',
      subjectName: '示例科技有限公司',
      subjectType: 'enterprise',
      creditCode: '91330100799655058B',
      websiteName: '示例网站',
      domains: ['example.cn', 'example.com'],
      accessProviders: ['阿里云'],
      importedAt: '2026-11-29T08:00:00.000Z',
    };
    api = await startFakeApi({ 'GET /v1/filing-registry/京ICP备10046444号-9': () => ({ body: record }) });
    const cli = captureIo(dir, env());

    expect(await run(['registry', 'get', '京ICP备10046444号-9'], cli.io)).toBe(0);
    expect(cli.stdout()).toBe(
      [
        '京ICP备10046444号-9',
        '  subject        示例科技有限公司 (enterprise, 91330100799655058B)',
        '  subject filing 京ICP备10046444号',
        '  website        示例网站',
        '  domains        example.cn, example.com',
        '  access         阿里云',
        '  imported       2026-11-29T08:00:00.000Z',
        '',
      ].join('\n'),
    );
  });
});
