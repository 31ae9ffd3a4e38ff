import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { run } from '../../../cli/program.ts';
import { captureIo, type FakeRoute, sequence, startFakeApi } from './fake-api.ts';

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
    expect(noKind.stderr()).toMatch(/required option '--kind <kind>' not specified/);

    const noType = captureIo(dir, env);
    expect(await run(['evidence', 'upload', 'scan.tiff', '--kind', 'closure_proof'], noType.io)).toBe(2);
    expect(noType.stderr()).toBe('icp-cancel: Cannot tell the type of scan.tiff from its extension: pass --content-type.\n');

    const missing = captureIo(dir, env);
    expect(await run(['evidence', 'upload', 'gone.pdf', '--kind', 'closure_proof'], missing.io)).toBe(1);
    expect(missing.stderr()).toBe('icp-cancel: Cannot read gone.pdf: no such file.\n');
  });
});
