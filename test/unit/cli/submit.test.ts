import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../cli/program.ts';
import { batchView, captureIo, type FakeAnswer, type FakeRoute, sequence, startFakeApi } from './fake-api.ts';

const MANIFEST = '\uFEFFkind,filingNumber,websiteName\ncancel_website,京ICP备10046444号-9,"示例, 网站"\n';
const REPORT = 'row,filingNumber,outcome,applicationId,errorPath,errorCode,errorMessage\n2,京ICP备10046444号-9,created,app_1,,,\n';

type View = NonNullable<Parameters<typeof batchView>[0]>;
const batch = (status: View['status'], rows: View['rows'], counts: View['counts'] = {}, progress = 0): FakeAnswer => ({
  body: batchView({ status, rows, counts, progress }),
});
const created = (status: View['status'] = 'awaiting_upload'): FakeRoute => (_request, base) => ({
  status: 201,
  body: {
    ...batchView({ status }),
    upload: {
      uploadUrl: `${base}/s3/manifests/bat_1.csv?X-Amz-Signature=abc`,
      method: 'PUT',
      headers: { 'content-type': 'text/csv' },
      expiresAt: '2026-11-29T08:10:00.000Z',
    },
  },
});
const problem = (status: number, title: string, extra: Record<string, unknown> = {}): FakeAnswer => ({
  status,
  headers: { 'content-type': 'application/problem+json' },
  body: { type: 'https://icp-cancel.dev/problems/x', title, status, ...extra },
});
const reportRoutes: Record<string, FakeRoute> = {
  'GET /v1/batches/bat_1/report': (_r, base) => ({ body: { url: `${base}/s3/reports/bat_1.csv?X-Amz-Signature=def` } }),
  'GET /s3/reports/bat_1.csv': () => ({ headers: { 'content-type': 'text/csv' }, body: REPORT }),
};

describe('icp-cancel batch submit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'icp-cli-submit-'));
  let api: Awaited<ReturnType<typeof startFakeApi>> | undefined;
  const env = () => ({ ICP_API_URL: api?.url, ICP_API_KEY: 'icp_agency_test' });

  beforeAll(() => {
    writeFileSync(join(dir, 'manifest.csv'), MANIFEST);
    return () => rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });

  it('creates a CSV batch, PUTs the manifest byte for byte with the signed headers, and prints the id', async () => {
    // Prepare
    api = await startFakeApi({ 'POST /v1/batches': created(), 'PUT /s3/manifests/bat_1.csv': () => ({ body: '' }) });
    const cli = captureIo(dir, env());

    // Act
    const code = await run(['batch', 'submit', 'manifest.csv'], cli.io);

    // Assess
    expect(code).toBe(0);
    expect(cli.stdout()).toBe('bat_1\n');
    const [create] = api.to('POST /v1/batches');
    expect(JSON.parse(create?.body.toString() ?? '')).toEqual({ format: 'csv' });
    expect(create?.headers).toMatchObject({ authorization: 'Bearer icp_agency_test', 'content-type': 'application/json' });
    expect(create?.headers['idempotency-key']).toMatch(/^manifest-[0-9a-f]{40}$/);
    const [put] = api.to('PUT /s3/manifests/bat_1.csv');
    expect(put?.body.equals(Buffer.from(MANIFEST))).toBe(true);
    expect(put?.headers['content-type']).toBe('text/csv');
    expect(put?.headers.authorization).toBeUndefined();
    expect(cli.stderr()).toMatch(/Batch bat_1: uploading manifest.csv \(1 KiB\)…\nBatch bat_1: uploaded\.\n/);
  });

  it('derives the same idempotency key from the same manifest and options, a different one with --hold', async () => {
    api = await startFakeApi({ 'POST /v1/batches': created(), 'PUT /s3/manifests/bat_1.csv': () => ({}) });
    await run(['batch', 'submit', 'manifest.csv'], captureIo(dir, env()).io);
    await run(['batch', 'submit', 'manifest.csv'], captureIo(dir, env()).io);
    await run(['batch', 'submit', 'manifest.csv', '--hold'], captureIo(dir, env()).io);
    await run(['batch', 'submit', 'manifest.csv', '--idempotency-key', 'agency-run-7'], captureIo(dir, env()).io);

    const creates = api.to('POST /v1/batches');
    const keys = creates.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(keys[3]).toBe('agency-run-7');
    expect(JSON.parse(creates[2]?.body.toString() ?? '')).toEqual({ format: 'csv', hold: true });
  });

  it('does not upload again when the key replays a batch that has its manifest', async () => {
    api = await startFakeApi({ 'POST /v1/batches': created('ingesting') });
    const cli = captureIo(dir, env());

    expect(await run(['batch', 'submit', 'manifest.csv'], cli.io)).toBe(0);
    expect(api.requests.map((r) => r.method)).toEqual(['POST']);
    expect(cli.stderr()).toMatch(/already exists for this idempotency key \(ingesting\): nothing new created/);
    expect(cli.stdout()).toBe('bat_1\n');
  });

  it('--watch polls with a progress line until the batch completes, then writes <manifest>.report.csv', async () => {
    // Prepare
    api = await startFakeApi({
      'POST /v1/batches': created(),
      'PUT /s3/manifests/bat_1.csv': () => ({}),
      'GET /v1/batches/bat_1': sequence(
        batch('awaiting_upload', { processed: 0 }),
        batch('ingesting', { total: 2, processed: 1, accepted: 1 }, { draft: 1 }),
        problem(503, 'Temporarily unavailable, retry later'),
        batch('ingested', { total: 2, processed: 2, accepted: 1, rejected: 1 }, { submitted: 1 }, 0.5),
        batch('completed', { total: 2, processed: 2, accepted: 1, rejected: 1 }, { approved: 1 }, 1),
      ),
      ...reportRoutes,
    });
    const cli = captureIo(dir, env(), true);

    // Act
    const code = await run(['batch', 'submit', 'manifest.csv', '--watch', '--interval', '0.5'], cli.io);

    // Assess
    expect(code).toBe(0);
    expect(api.to('GET /v1/batches/bat_1')).toHaveLength(5);
    expect(cli.sleeps.slice(0, 2)).toEqual([500, 500]);
    expect(cli.sleeps[2]).toBeGreaterThan(500); // backed off after the 503
    expect(readFileSync(join(dir, 'manifest.csv.report.csv'), 'utf8')).toBe(REPORT);
    expect(api.to('GET /s3/reports/bat_1.csv')[0]?.headers.authorization).toBeUndefined();
    const err = cli.stderr();
    expect(err).toContain('ingesting · rows 1/2 · draft 1');
    expect(err).toContain('[████████████████████] 100%  completed · rows 2/2, 1 refused · approved 1');
    expect(err).toContain('Report written to manifest.csv.report.csv: 1 applications; 1 rows refused; approved 1.');
    expect(cli.stdout()).toBe('bat_1\n');
  });

  it('--watch --hold stops once the manifest is ingested (drafts never complete by themselves); -o names the report', async () => {
    api = await startFakeApi({
      'POST /v1/batches': created(),
      'PUT /s3/manifests/bat_1.csv': () => ({}),
      'GET /v1/batches/bat_1': sequence(
        batch('ingesting', { total: 2, processed: 1 }),
        { body: batchView({ status: 'ingested', hold: true, rows: { total: 2, processed: 2, accepted: 2 }, counts: { draft: 2 }, reportAvailable: true }) },
      ),
      ...reportRoutes,
    });
    const cli = captureIo(dir, env(), true);

    expect(await run(['batch', 'submit', 'manifest.csv', '--watch', '--hold', '-o', 'out/../held.csv'], cli.io)).toBe(0);
    expect(api.to('GET /v1/batches/bat_1')).toHaveLength(2);
    expect(readFileSync(join(dir, 'held.csv'), 'utf8')).toBe(REPORT);
    expect(cli.stderr()).toMatch(/\r\x1b\[2K\[.*ingested · rows 2\/2 · draft 2\n/);
  });

  it('prints the problem\'s title, detail and field errors, and exits 1', async () => {
    api = await startFakeApi({
      'POST /v1/batches': () =>
        problem(400, 'The request is not valid', {
          detail: 'The body does not match the schema.',
          errors: [{ path: 'format', code: 'invalid_value', message: 'must be "csv"' }],
        }),
    });
    const cli = captureIo(dir, env());

    expect(await run(['batch', 'submit', 'manifest.csv'], cli.io)).toBe(1);
    expect(cli.stderr()).toBe(
      'icp-cancel: POST /v1/batches failed with 400: The request is not valid: The body does not match the schema.\n' +
        '  - format: must be "csv" (invalid_value)\n',
    );
    expect(cli.stdout()).toBe('');
  });

  it.each([
    [401, problem(401, 'Missing or unknown API key'), 1, /failed with 401: Missing or unknown API key$/],
    [429, problem(429, 'Too many requests'), 3, /failed with 429: Too many requests$/],
    [500, { status: 500, headers: { 'content-type': 'text/plain' }, body: 'boom' }, 3, /failed with 500: no details$/],
    [413, { status: 413, body: { message: 'Request Entity Too Large' } }, 1, /failed with 413: Request Entity Too Large$/],
  ])('exits %#: a %i is exit %i', async (_status, answer, exit, message) => {
    api = await startFakeApi({ 'POST /v1/batches': () => answer });
    const cli = captureIo(dir, env());
    expect(await run(['batch', 'submit', 'manifest.csv'], cli.io)).toBe(exit);
    expect(cli.stderr().trim()).toMatch(message);
  });

  it('exits 1 with S3\'s error code when the upload is refused', async () => {
    api = await startFakeApi({
      'POST /v1/batches': created(),
      'PUT /s3/manifests/bat_1.csv': () => ({
        status: 403,
        headers: { 'content-type': 'application/xml' },
        body: '<?xml version="1.0"?><Error><Code>SignatureDoesNotMatch</Code></Error>',
      }),
    });
    const cli = captureIo(dir, env());
    expect(await run(['batch', 'submit', 'manifest.csv'], cli.io)).toBe(1);
    expect(cli.stderr()).toMatch(/icp-cancel: Uploading the manifest failed: HTTP 403 SignatureDoesNotMatch\.\n$/);
  });

  it('exits 3 when the API cannot be reached', async () => {
    api = await startFakeApi({});
    const url = api.url;
    await api.stop();
    api = undefined;
    const cli = captureIo(dir, { ICP_API_URL: url, ICP_API_KEY: 'k' });

    expect(await run(['batch', 'submit', 'manifest.csv'], cli.io)).toBe(3);
    expect(cli.stderr()).toBe(`icp-cancel: Cannot reach ${url}: connection refused (ECONNREFUSED).\n`);
  });

  it('exits 1 when the batch fails, with its reason, and 3 when polling keeps failing', async () => {
    api = await startFakeApi({
      'POST /v1/batches': created(),
      'PUT /s3/manifests/bat_1.csv': () => ({}),
      'GET /v1/batches/bat_1': () => ({
        body: batchView({ status: 'failed', error: { code: 'missing_column', message: 'The header has no filingNumber column.' } }),
      }),
    });
    const failed = captureIo(dir, env());
    expect(await run(['batch', 'submit', 'manifest.csv', '--watch'], failed.io)).toBe(1);
    expect(failed.stderr()).toMatch(/icp-cancel: Batch bat_1 failed: The header has no filingNumber column\. \(missing_column\)\n$/);
    await api.stop();

    api = await startFakeApi({ 'GET /v1/batches/bat_1': () => problem(502, 'Bad gateway') });
    const flaky = captureIo(dir, env());
    expect(await run(['batch', 'status', 'bat_1', '--watch'], flaky.io)).toBe(3);
    expect(api.to('GET /v1/batches/bat_1')).toHaveLength(6);
    expect(flaky.stderr()).toMatch(/failed with 502: Bad gateway\n$/);
  });

  it('writes the partial report of a batch that failed half-way, then exits 1', async () => {
    api = await startFakeApi({
      'POST /v1/batches': created(),
      'PUT /s3/manifests/bat_1.csv': () => ({}),
      'GET /v1/batches/bat_1': () => ({
        body: batchView({
          status: 'failed',
          rows: { total: 2, processed: 1, accepted: 1 },
          counts: { draft: 1 },
          reportAvailable: true,
          error: { code: 'ingestion_failed', message: 'Ingestion kept failing after its retries.' },
        }),
      }),
      ...reportRoutes,
    });
    const cli = captureIo(dir, env());

    expect(await run(['batch', 'submit', 'manifest.csv', '--watch', '-o', 'partial.csv'], cli.io)).toBe(1);
    expect(readFileSync(join(dir, 'partial.csv'), 'utf8')).toBe(REPORT);
    expect(cli.stderr()).toContain('Report written to partial.csv (partial): 1 applications; 0 rows refused; draft 1.\n');
    expect(cli.stderr()).toMatch(/icp-cancel: Batch bat_1 failed: Ingestion kept failing after its retries\. \(ingestion_failed\)\n$/);
  });

  it.each([
    ['a web page', { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>Sign in to the proxy</html>' }, 'something that is not a JSON object'],
    ['a JSON array', { status: 201, body: [] }, 'something that is not a JSON object'],
    ['no body', { status: 201, body: '' }, 'no body'],
  ])('exits 3 on a success that is not the API\'s answer (%s)', async (_what, answer, says) => {
    api = await startFakeApi({ 'POST /v1/batches': () => answer });
    const cli = captureIo(dir, env());
    expect(await run(['batch', 'submit', 'manifest.csv'], cli.io)).toBe(3);
    expect(cli.stderr()).toBe(`icp-cancel: POST /v1/batches answered ${answer.status} with ${says}: is ${api.url} the icp-cancel API?\n`);
  });
});

describe('icp-cancel batch report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'icp-cli-report-'));

  it('writes the report to stdout, or to -o', async () => {
    const api = await startFakeApi(reportRoutes);
    try {
      const env = { ICP_API_URL: api.url, ICP_API_KEY: 'k' };
      const toStdout = captureIo(dir, env);
      expect(await run(['batch', 'report', 'bat_1'], toStdout.io)).toBe(0);
      expect(toStdout.stdout()).toBe(REPORT);

      const toFile = captureIo(dir, env);
      expect(await run(['batch', 'report', 'bat_1', '-o', 'r.csv'], toFile.io)).toBe(0);
      expect(readFileSync(join(dir, 'r.csv'), 'utf8')).toBe(REPORT);
      expect(toFile.stdout()).toBe('');

      const notThere = captureIo(dir, env);
      expect(await run(['batch', 'report', 'bat_2'], notThere.io)).toBe(1);
      expect(notThere.stderr()).toBe('icp-cancel: GET /v1/batches/bat_2/report failed with 404: Not found\n');

      const unwritable = captureIo(dir, env);
      expect(await run(['batch', 'report', 'bat_1', '-o', 'no/such/dir/r.csv'], unwritable.io)).toBe(1);
      expect(unwritable.stderr()).toBe('icp-cancel: Cannot write the report to no/such/dir/r.csv: ENOENT.\n');
    } finally {
      await api.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
