import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { makeBatchDeps } from '../../shared/adapters/make-batch-deps.ts';
import { createTenant } from '../../shared/use-cases/authenticate.ts';
import { type ApiCall, apiClient, eventually } from '../support/api-client.ts';
import { applicationBody, PDF, uniqueFilingNumber } from '../support/fixtures.ts';
import { manifest, manifestRow } from '../support/manifest.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * Bulk submission on the local runtime, through real HTTP, s3rver (presigned PUTs, S3 events), DynamoDB Local, the
 * synthesized ingestion and review state machines and the stream: inline and CSV batches, the per-row report,
 * Idempotency-Key, tenant isolation, resume after a crash mid-way, and `batch.completed`.
 */
describe('bulk batches, end to end', () => {
  let runtime: LocalRuntime;
  let agency: ApiCall;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-batches-'));
  const chunkRows = process.env.BATCH_CHUNK_ROWS;

  beforeAll(async () => {
    // Small chunks, so that a manifest of a few dozen rows takes several IngestChunk tasks.
    process.env.BATCH_CHUNK_ROWS = '5';
    runtime = await startLocalRuntime({ port: 0, dataDir, authority: 'simulated', authorityDelayMs: 50, timeScale: 0.001 });
    agency = apiClient(runtime.url, runtime.demoTenant.agencyKey);
    receiver = await startWebhookReceiver();
    const endpoint = await agency('POST', '/v1/webhook-endpoints', { url: receiver.url, eventTypes: ['batch.completed'] });
    expect(endpoint.status).toBe(201);
    receiver.useSecret(endpoint.body.secret);
  });

  afterAll(async () => {
    await receiver?.stop();
    await runtime?.stop();
    if (chunkRows === undefined) delete process.env.BATCH_CHUNK_ROWS;
    else process.env.BATCH_CHUNK_ROWS = chunkRows;
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function batchWhen(id: string, done: (b: Record<string, any>) => boolean, what: string, timeoutMs = 30_000) {
    return eventually(async () => {
      const batch = await agency('GET', `/v1/batches/${id}`);
      return done(batch.body) ? batch.body : undefined;
    }, what, timeoutMs);
  }

  async function report(id: string, call: ApiCall = agency): Promise<Record<string, string>[]> {
    const link = await call('GET', `/v1/batches/${id}/report`);
    expect(link.status).toBe(200);
    const download = await fetch(link.body.url);
    expect(download.status).toBe(200);
    return parse(Buffer.from(await download.arrayBuffer()), { columns: true, bom: true }) as Record<string, string>[];
  }

  it('ingests an inline batch with shared evidence: good rows submitted and approved, bad and duplicate rows reported, batch.completed sent once', async () => {
    // Prepare: one closure proof for every row, uploaded once
    const upload = await agency('POST', '/v1/batch-evidence', { kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length });
    expect(upload.status).toBe(201);
    const put = await fetch(upload.body.uploadUrl, { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body: PDF });
    expect(put.status).toBe(200);
    const evidenceId = upload.body.evidenceId as string;
    await eventually(async () => ((await agency('GET', `/v1/batch-evidence/${evidenceId}`)).body.status === 'accepted' ? true : undefined), 'the shared evidence to be accepted');
    const good = [applicationBody(), applicationBody(), applicationBody()].map((b) => ({ ...b, evidence: [evidenceId] }));
    const items = [
      good[0],
      { ...applicationBody({ subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: '91330100799655058C' } }), evidence: [evidenceId] },
      good[1],
      { ...good[0], customerRef: 'the same filing again' },
      { ...applicationBody(), colour: 'blue' },
      good[2],
    ];

    // Act
    const created = await agency('POST', '/v1/batches', { items, submit: 'immediately' }, { 'idempotency-key': `inline-${Date.now()}` });
    const completed = await batchWhen(created.body.id, (b) => b.status === 'completed', 'the batch to complete');
    const rows = await report(created.body.id);
    const listed = await agency('GET', `/v1/applications?batchId=${created.body.id}`);

    // Assess
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toBe(`/v1/batches/${created.body.id}`);
    expect(completed).toMatchObject({ rows: { total: 6, processed: 6, accepted: 3, rejected: 3 }, counts: { approved: 3 }, progress: 1 });
    expect(rows.map((r) => [r.row, r.outcome, r.errorCode])).toEqual([
      ['1', 'created', ''],
      ['2', 'refused', 'invalid_check_character'],
      ['3', 'created', ''],
      ['4', 'refused', 'duplicate_in_batch'],
      ['5', 'refused', 'unknown_field'],
      ['6', 'created', ''],
    ]);
    expect(rows[1]).toMatchObject({ errorPath: 'subject.creditCode' });
    expect(rows[0]).toMatchObject({ status: 'submitted', applicationId: expect.stringMatching(/^app_/) });
    expect(listed.body.items).toHaveLength(3);
    expect(listed.body.items.every((a: { status: string; batchId: string }) => a.status === 'approved' && a.batchId === created.body.id)).toBe(true);
    const one = await agency('GET', `/v1/applications/${rows[0]?.applicationId}`);
    expect(one.body.evidence).toEqual([expect.objectContaining({ evidenceId, kind: 'closure_proof', status: 'accepted', shared: true })]);
    expect(one.body.timeline[0]).toMatchObject({ sequence: 1, status: 'draft', detail: `Application created (batch ${created.body.id}, row 1)` });
    const hooks = await eventually(async () => {
      const got = receiver.received.filter((w) => w.type === 'batch.completed' && w.body.data.batchId === created.body.id);
      return got.length > 0 ? got : undefined;
    }, 'the batch.completed webhook');
    expect(hooks).toHaveLength(1);
    expect(hooks[0]?.verified).toBe(true);
    expect(hooks[0]?.body.data).toMatchObject({ status: 'completed', rows: { total: 6, accepted: 3, rejected: 3 }, counts: { approved: 3 } });
  });

  it('submits a row of an immediately batch that lacked its file as soon as its own upload is accepted, and completes the batch', async () => {
    // Prepare
    const created = await agency('POST', '/v1/batches', { items: [applicationBody()], submit: 'immediately' });
    await batchWhen(created.body.id, (b) => b.status === 'ingested', 'the batch to be ingested');
    const [row] = await report(created.body.id);
    const waiting = await agency('GET', `/v1/applications/${row?.applicationId}`);
    const upload = await agency('POST', `/v1/applications/${row?.applicationId}/evidence`, { kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length });

    // Act
    const put = await fetch(upload.body.uploadUrl, { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body: PDF });
    const completed = await batchWhen(created.body.id, (b) => b.status === 'completed', 'the batch to complete');
    const approved = await agency('GET', `/v1/applications/${row?.applicationId}`);

    // Assess
    expect(row).toMatchObject({ outcome: 'created', status: 'draft' });
    expect(waiting.body).toMatchObject({ status: 'draft', submitWhenComplete: true, missingEvidence: ['closure_proof'] });
    expect(put.status).toBe(200);
    expect(completed).toMatchObject({ counts: { approved: 1 }, progress: 1 });
    expect(approved.body).not.toHaveProperty('submitWhenComplete');
    expect(approved.body.timeline.map((t: { status: string }) => t.status)).toEqual(['draft', 'submitted', 'under_review', 'approved']);
  });

  it('takes a CSV manifest (BOM, quotes, Chinese text) through a presigned upload, idempotently, for its tenant only', async () => {
    // Prepare
    const first = applicationBody({ websiteName: '示例网站, "旧版"' });
    const rows = [
      manifestRow(first),
      manifestRow(applicationBody(), { siteSince: '2026-02-30' }),
      manifestRow(applicationBody({ customerRef: '客户 42\n第二行' })),
      manifestRow(applicationBody(), { filingNumber: String(first.filingNumber) }),
    ];
    const key = `csv-${Date.now()}`;
    const other = await createTenant(runtime.deps, { name: 'Another agency' });
    const stranger = apiClient(runtime.url, other.agencyKey);

    // Act
    const created = await agency('POST', '/v1/batches', { format: 'csv', submit: 'hold' }, { 'idempotency-key': key });
    const tooEarly = await agency('GET', `/v1/batches/${created.body.id}/report`);
    const replay = await agency('POST', '/v1/batches', { format: 'csv', hold: true }, { 'idempotency-key': key });
    const conflict = await agency('POST', '/v1/batches', { format: 'csv' }, { 'idempotency-key': key });
    const put = await fetch(created.body.upload.uploadUrl, { method: 'PUT', headers: created.body.upload.headers, body: manifest(rows) });
    const ingested = await batchWhen(created.body.id, (b) => b.status === 'ingested', 'the manifest to be ingested');
    const lines = await report(created.body.id);
    const apps = await agency('GET', `/v1/applications?batchId=${created.body.id}&limit=200`);
    const theirs = await stranger('GET', `/v1/batches/${created.body.id}`);
    const theirReport = await stranger('GET', `/v1/batches/${created.body.id}/report`);
    const theirApps = await stranger('GET', `/v1/applications?batchId=${created.body.id}`);
    const ours = await agency('GET', '/v1/batches?limit=100');
    const theirList = await stranger('GET', '/v1/batches');
    const theirRelease = await stranger('POST', `/v1/batches/${created.body.id}/submit`, {});
    const released = await agency('POST', `/v1/batches/${created.body.id}/submit`, {});
    const marked = await agency('GET', `/v1/applications/${lines[0]?.applicationId}`);

    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'awaiting_upload', hold: true, upload: { method: 'PUT', headers: { 'content-type': 'text/csv' } } });
    expect(tooEarly.status).toBe(409);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(created.body.id);
    expect(conflict.status).toBe(409);
    expect(put.status).toBe(200);
    expect(ingested).toMatchObject({ rows: { total: 4, accepted: 2, rejected: 2 }, counts: { draft: 2 }, reportAvailable: true });
    expect(lines.map((l) => [l.row, l.outcome, l.errorPath, l.errorCode])).toEqual([
      ['1', 'created', '', ''],
      ['2', 'refused', 'siteSince', 'invalid_union'],
      ['3', 'created', '', ''],
      ['4', 'refused', 'filingNumber', 'duplicate_in_batch'],
    ]);
    const byId = new Map(apps.body.items.map((a: { id: string }) => [a.id, a]));
    expect(byId.get(lines[0]?.applicationId)).toMatchObject({ websiteName: '示例网站, "旧版"', status: 'draft' });
    expect(byId.get(lines[2]?.applicationId)).toMatchObject({ customerRef: '客户 42\n第二行' });
    expect(theirs.status).toBe(404);
    expect(theirReport.status).toBe(404);
    expect(theirApps.body.items).toEqual([]);
    expect(ours.status).toBe(200);
    expect(ours.body.items.find((b: { id: string }) => b.id === created.body.id)).toMatchObject({ status: 'ingested', rows: { accepted: 2 } });
    expect(theirList.body).toEqual({ items: [] });
    // Released: its two drafts have no files yet, so they wait to submit themselves when their files are accepted.
    expect(theirRelease.status).toBe(404);
    expect(released.status).toBe(200);
    expect(released.body).toEqual({ batchId: created.body.id, submitted: 0, waiting: 2, skipped: 0 });
    expect(marked.body).toMatchObject({ status: 'draft', submitWhenComplete: true });
  });

  it('resumes a manifest after the ingestion crashed half-way through a chunk, with no duplicate and a correct report', async () => {
    // Prepare: 23 rows (5 chunks of 5), one bad; the third chunk dies after writing part of its rows, once
    const bodies = Array.from({ length: 23 }, () => applicationBody({ filingNumber: uniqueFilingNumber() }));
    const rows = bodies.map((b, i) => manifestRow(b, i === 16 ? { kind: 'cancel_everything' } : {}));
    const batches = makeBatchDeps().batches;
    const writeRows = batches.writeRows.bind(batches);
    let chunk = 0;
    batches.writeRows = async (batchId, planned) => {
      if (++chunk === 3) {
        await writeRows(batchId, planned.slice(0, 2));
        throw new Error('Lambda killed half-way through a chunk');
      }
      return writeRows(batchId, planned);
    };

    // Act
    try {
      const created = await agency('POST', '/v1/batches', { format: 'csv', submit: 'hold' });
      await fetch(created.body.upload.uploadUrl, { method: 'PUT', headers: created.body.upload.headers, body: manifest(rows) });
      const ingested = await batchWhen(created.body.id, (b) => b.status === 'ingested' || b.status === 'failed', 'the batch to be ingested');
      const lines = await report(created.body.id);
      const apps = await agency('GET', `/v1/applications?batchId=${created.body.id}&limit=200`);

      // Assess
      expect(chunk).toBeGreaterThan(5);
      expect(ingested).toMatchObject({ status: 'ingested', rows: { total: 23, processed: 23, accepted: 22, rejected: 1 }, counts: { draft: 22 } });
      expect(lines.map((l) => Number(l.row))).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
      expect(lines.filter((l) => l.outcome === 'refused').map((l) => l.row)).toEqual(['17']);
      expect(apps.body.items).toHaveLength(22);
      expect(new Set(apps.body.items.map((a: { filingNumber: string }) => a.filingNumber)).size).toBe(22);
      expect(new Set(lines.filter((l) => l.outcome === 'created').map((l) => l.applicationId))).toEqual(
        new Set(apps.body.items.map((a: { id: string }) => a.id)),
      );
    } finally {
      batches.writeRows = writeRows;
    }
  });

  it('refuses a request that is neither items nor a CSV upload, and a manifest it cannot read fails the batch with a reason', async () => {
    // Act
    const neither = await agency('POST', '/v1/batches', { rows: [] });
    const tooMany = await agency('POST', '/v1/batches', { items: Array.from({ length: 1001 }, () => ({})) });
    const created = await agency('POST', '/v1/batches', { format: 'csv' });
    await fetch(created.body.upload.uploadUrl, { method: 'PUT', headers: created.body.upload.headers, body: 'filing_number,kind\r\n京ICP备1号,x\r\n' });
    const failed = await batchWhen(created.body.id, (b) => b.status === 'failed', 'the batch to fail');

    // Assess
    expect(neither.status).toBe(400);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0]).toMatchObject({ path: 'items', code: 'too_big' });
    expect(failed.error).toMatchObject({ code: 'invalid_header', message: expect.stringContaining('filing_number') });
  });
});
