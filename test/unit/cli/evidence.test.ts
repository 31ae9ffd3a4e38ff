import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { run } from '../../../cli/program.ts';
import type { Evidence } from '../../../cli/api-types.ts';
import { applicationView, captureIo, type FakeRoute, sequence, startFakeApi } from './fake-api.ts';

const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');

const created: FakeRoute = (_r, base) => ({
  status: 201,
  body: {
    evidenceId: 'ev_01jabcdefghij',
    uploadUrl: `${base}/s3/batch-evidence/ev_01jabcdefghij?X-Amz-Signature=abc`,
    method: 'PUT',
    headers: { 'content-type': 'application/pdf', 'content-length': String(PDF.length) },
    expiresAt: '2026-11-29T08:10:00.000Z',
  },
});
const evidence = (status: string, extra: Record<string, unknown> = {}) => ({ body: { evidenceId: 'ev_01jabcdefghij', status, ...extra } });

describe('icp-cancel evidence upload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'icp-cli-evidence-'));
  writeFileSync(join(dir, 'closure.pdf'), PDF);
  let api: Awaited<ReturnType<typeof startFakeApi>> | undefined;
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('declares the file, PUTs it, waits for the check and prints the id', async () => {
    // Prepare
    api = await startFakeApi({
      'POST /v1/batch-evidence': created,
      'PUT /s3/batch-evidence/ev_01jabcdefghij': () => ({}),
      'GET /v1/batch-evidence/ev_01jabcdefghij': sequence(evidence('pending_upload'), evidence('accepted')),
    });
    const cli = captureIo(dir, { ICP_API_URL: api.url, ICP_API_KEY: 'k' });

    // Act
    const code = await run(['evidence', 'upload', 'closure.pdf', '--kind', 'closure_proof'], cli.io);

    // Assess
    expect(code).toBe(0);
    expect(cli.stdout()).toBe('ev_01jabcdefghij\n');
    expect(JSON.parse(api.to('POST /v1/batch-evidence')[0]?.body.toString() ?? '')).toEqual({
      kind: 'closure_proof',
      contentType: 'application/pdf',
      contentLength: PDF.length,
    });
    const [put] = api.to('PUT /s3/batch-evidence/ev_01jabcdefghij');
    expect(put?.body.equals(PDF)).toBe(true);
    expect(put?.headers).toMatchObject({ 'content-type': 'application/pdf', 'content-length': String(PDF.length) });
    expect(api.to('GET /v1/batch-evidence/ev_01jabcdefghij')).toHaveLength(2);
  });

  it('exits 1 with the API\'s reason when the file is refused', async () => {
    api = await startFakeApi({
      'POST /v1/batch-evidence': created,
      'PUT /s3/batch-evidence/ev_01jabcdefghij': () => ({}),
      'GET /v1/batch-evidence/ev_01jabcdefghij': () => evidence('rejected', { rejectionReason: 'The file is not a PDF.' }),
    });
    const cli = captureIo(dir, { ICP_API_URL: api.url, ICP_API_KEY: 'k' });

    expect(await run(['evidence', 'upload', 'closure.pdf', '--kind', 'closure_proof'], cli.io)).toBe(1);
    expect(cli.stderr()).toBe('icp-cancel: closure.pdf was refused: The file is not a PDF. (ev_01jabcdefghij)\n');
    expect(cli.stdout()).toBe('');
  });

  it('needs --kind, and a type it can tell or is told', async () => {
    writeFileSync(join(dir, 'scan.tiff'), PDF);
    const env = { ICP_API_URL: 'http://127.0.0.1:1', ICP_API_KEY: 'k' };

    const noKind = captureIo(dir, env);
    expect(await run(['evidence', 'upload', 'closure.pdf'], noKind.io)).toBe(2);
    expect(noKind.stderr()).toBe('icp-cancel: A shared file needs --kind (closure_proof, business_licence, …).\n');

    const badKind = captureIo(dir, env);
    expect(await run(['evidence', 'upload', 'closure.pdf', '--kind', 'closure'], badKind.io)).toBe(2);
    expect(badKind.stderr()).toMatch(/argument 'closure' is invalid\. Allowed choices are closure_proof, migration_proof, /);

    const jsonNoWait = captureIo(dir, env);
    expect(await run(['evidence', 'upload', 'closure.pdf', '--kind', 'closure_proof', '--json', '--no-wait'], jsonNoWait.io)).toBe(2);
    expect(jsonNoWait.stderr()).toBe('icp-cancel: --json prints the evidence once checked: leave out --no-wait.\n');

    const noType = captureIo(dir, env);
    expect(await run(['evidence', 'upload', 'scan.tiff', '--kind', 'closure_proof'], noType.io)).toBe(2);
    expect(noType.stderr()).toBe('icp-cancel: Cannot tell the type of scan.tiff from its extension: pass --content-type.\n');

    const missing = captureIo(dir, env);
    expect(await run(['evidence', 'upload', 'gone.pdf', '--kind', 'closure_proof'], missing.io)).toBe(1);
    expect(missing.stderr()).toBe('icp-cancel: Cannot read gone.pdf: no such file.\n');
  });
});

describe('icp-cancel evidence upload <application-id> <file>', () => {
  const dir = mkdtempSync(join(tmpdir(), 'icp-cli-app-evidence-'));
  writeFileSync(join(dir, 'closure.pdf'), PDF);
  let api: Awaited<ReturnType<typeof startFakeApi>> | undefined;
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const upload: FakeRoute = (_r, base) => ({
    status: 201,
    body: {
      evidenceId: 'ev_2',
      uploadUrl: `${base}/s3/evidence/app_1/ev_2?X-Amz-Signature=abc`,
      method: 'PUT',
      headers: { 'content-type': 'application/pdf' },
      expiresAt: '2026-11-29T08:10:00.000Z',
    },
  });
  const withEvidence = (status: Evidence['status'], extra: Partial<Evidence> = {}) => ({
    body: applicationView({
      evidence: [{ evidenceId: 'ev_2', kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length, status, createdAt: '2026-11-29T08:01:00.000Z', ...extra }],
    }),
  });

  it("takes the one kind the application misses, uploads, waits for the application's evidence to be accepted", async () => {
    // Prepare
    api = await startFakeApi({
      'POST /v1/applications/app_1/evidence': upload,
      'PUT /s3/evidence/app_1/ev_2': () => ({}),
      'GET /v1/applications/app_1': sequence({ body: applicationView() }, withEvidence('pending_upload'), withEvidence('accepted', { sha256: 'ab'.repeat(32) })),
    });
    const cli = captureIo(dir, { ICP_API_URL: api.url, ICP_API_KEY: 'k' });

    // Act
    const code = await run(['evidence', 'upload', 'app_1', 'closure.pdf', '--interval', '0.1'], cli.io);

    // Assess
    expect(code).toBe(0);
    expect(cli.stdout()).toBe('ev_2\n');
    expect(cli.stderr()).toBe(`closure.pdf: accepted as closure_proof (SHA-256 ${'ab'.repeat(32)}).\n`);
    expect(JSON.parse(api.to('POST /v1/applications/app_1/evidence')[0]?.body.toString() ?? '')).toEqual({
      kind: 'closure_proof',
      contentType: 'application/pdf',
      contentLength: PDF.length,
    });
    expect(api.to('PUT /s3/evidence/app_1/ev_2')[0]?.body.equals(PDF)).toBe(true);
    expect(cli.sleeps).toEqual([100]);
  });

  it('--no-wait prints the id once the file is uploaded, without asking about the check', async () => {
    api = await startFakeApi({ 'POST /v1/applications/app_1/evidence': upload, 'PUT /s3/evidence/app_1/ev_2': () => ({}) });
    const cli = captureIo(dir, { ICP_API_URL: api.url, ICP_API_KEY: 'k' });

    expect(await run(['evidence', 'upload', 'app_1', 'closure.pdf', '--kind', 'closure_proof', '--no-wait'], cli.io)).toBe(0);
    expect(cli.stdout()).toBe('ev_2\n');
    expect(cli.stderr()).toBe('closure.pdf: uploaded as closure_proof; the check runs now.\n');
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/applications/app_1/evidence', 'PUT /s3/evidence/app_1/ev_2']);
  });

  it('asks for --kind when the application misses several, and exits 1 with the reason and rule of a refused file', async () => {
    api = await startFakeApi({
      'GET /v1/applications/app_1': () => ({ body: applicationView({ missingEvidence: ['business_licence', 'legal_rep_id'] }) }),
      'POST /v1/applications/app_1/evidence': upload,
      'PUT /s3/evidence/app_1/ev_2': () => ({}),
      'GET /v1/applications/app_2': () => withEvidence('rejected', { rejectionReason: 'The file is not a PDF.', rejectionCode: 'content_type_mismatch' }),
      'POST /v1/applications/app_2/evidence': upload,
    });
    const env = { ICP_API_URL: api.url, ICP_API_KEY: 'k' };

    const several = captureIo(dir, env);
    expect(await run(['evidence', 'upload', 'app_1', 'closure.pdf'], several.io)).toBe(2);
    expect(several.stderr()).toBe('icp-cancel: app_1 misses business_licence, legal_rep_id: pass --kind.\n');
    expect(api.to('POST /v1/applications/app_1/evidence')).toHaveLength(0);

    const refused = captureIo(dir, env);
    expect(await run(['evidence', 'upload', 'app_2', 'closure.pdf', '--kind', 'closure_proof', '--json'], refused.io)).toBe(1);
    expect(refused.stderr()).toBe('icp-cancel: closure.pdf was refused: The file is not a PDF. (ev_2, content_type_mismatch)\n');
    expect(refused.stdout()).toBe('');
  });
});
