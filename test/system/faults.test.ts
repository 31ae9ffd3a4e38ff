import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { type ApiCall, apiClient, eventually } from '../support/api-client.ts';
import { applicationBody, PDF } from '../support/fixtures.ts';
import { manifest, manifestRow } from '../support/manifest.ts';

/**
 * The system under a fault plan (`FAULTS`, README): DynamoDB, S3 and Step Functions calls throttled or failing with
 * 5xx, and function invocations crashing before or after their handler. Single applications through submit →
 * decision and a CSV
 * batch must each reach their final status exactly once, with the batch's counts equal to a fresh count, in bounded
 * time. The client retries a 5xx answer as a customer's script would (with its Idempotency-Key where the route takes one).
 */
// With `lambda:crash`: a workflow task that crashes (Runtime.ExitError) is retried (LAMBDA_TRANSIENT_ERRORS); before
// it was, its Catch ended the application `failed`, which this plan showed at once.
const PLAN = 'dynamodb:throttle:0.05,s3:5xx:0.05,sfn:throttle:0.05,lambda:crash:0.02,seed:7';
const SINGLES = 3;
const ROWS = 6;

describe('the system under a fault plan', () => {
  let runtime: LocalRuntime;
  let agency: ApiCall;
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-faults-'));
  const saved = { FAULTS: process.env.FAULTS, BATCH_CHUNK_ROWS: process.env.BATCH_CHUNK_ROWS };

  beforeAll(async () => {
    process.env.FAULTS = PLAN;
    process.env.BATCH_CHUNK_ROWS = '3';
    runtime = await startLocalRuntime({ port: 0, dataDir, authority: 'simulated', authorityDelayMs: 50, timeScale: 0.001 });
    const call = apiClient(runtime.url, runtime.demoTenant.agencyKey);
    // A customer's script: a 5xx (a function that crashed or ran out of retries) is tried again, a few times.
    agency = async (method, path, body, headers) => {
      for (let attempt = 1; ; attempt++) {
        const answer = await call(method, path, body, headers);
        if (answer.status < 500 || attempt === 6) return answer;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    };
  });

  afterAll(async () => {
    await runtime?.stop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** PUTs a file to a presigned URL, again if S3 answers 5xx. */
  async function put(url: string, body: string | Buffer, headers: Record<string, string>): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const answer = await fetch(url, { method: 'PUT', headers, body });
      if (answer.status < 500 || attempt === 5) return answer.status;
    }
  }

  async function draftWithEvidence(n: number): Promise<string> {
    const created = await agency('POST', '/v1/applications', applicationBody(), { 'idempotency-key': `faults-${Date.now()}-${n}` });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const upload = await agency('POST', `/v1/applications/${id}/evidence`, { kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length });
    expect(upload.status).toBe(201);
    expect(await put(upload.body.uploadUrl, PDF, { 'content-type': 'application/pdf' })).toBe(200);
    await eventually(async () => ((await agency('GET', `/v1/applications/${id}`)).body.evidence?.[0]?.status === 'accepted' ? true : undefined), `${id}'s evidence accepted`, 30_000);
    return id;
  }

  it('takes single applications and a CSV batch to their final status exactly once, nothing lost or duplicated', async () => {
    // Prepare: the singles' drafts and the batch's shared evidence
    const started = Date.now();
    const singles = await Promise.all(Array.from({ length: SINGLES }, (_, n) => draftWithEvidence(n)));
    const shared = await agency('POST', '/v1/batch-evidence', { kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length });
    expect(await put(shared.body.uploadUrl, PDF, { 'content-type': 'application/pdf' })).toBe(200);
    const evidenceId = shared.body.evidenceId as string;
    await eventually(async () => ((await agency('GET', `/v1/batch-evidence/${evidenceId}`)).body.status === 'accepted' ? true : undefined), 'the shared evidence accepted', 30_000);

    // Act: submit the singles (a retry after a crash that came after the submission finds it submitted: 409), and a
    // CSV batch of ROWS rows, submitted immediately
    const submits = await Promise.all(singles.map((id) => agency('POST', `/v1/applications/${id}/submit`)));
    const created = await agency('POST', '/v1/batches', { format: 'csv', submit: 'immediately' }, { 'idempotency-key': `faults-batch-${Date.now()}` });
    const rows = Array.from({ length: ROWS }, () => manifestRow(applicationBody(), { evidence: evidenceId }));
    expect(await put(created.body.upload.uploadUrl, manifest(rows), created.body.upload.headers)).toBe(200);
    const batchId = created.body.id as string;
    const finals = await Promise.all(
      singles.map((id) =>
        eventually(async () => {
          const app = (await agency('GET', `/v1/applications/${id}`)).body;
          return ['approved', 'rejected_final', 'failed', 'withdrawn'].includes(app.status) || app.status === 'rejected' ? app : undefined;
        }, `${id} to reach a final status`, 45_000),
      ),
    );
    const batch = await eventually(async () => {
      const b = (await agency('GET', `/v1/batches/${batchId}`)).body;
      return b.status === 'completed' ? b : undefined;
    }, 'the batch to complete', 45_000);
    const link = await agency('GET', `/v1/batches/${batchId}/report`);
    const report = parse(Buffer.from(await (await fetch(link.body.url)).arrayBuffer()), { columns: true, bom: true }) as Record<string, string>[];
    const listed = await agency('GET', `/v1/applications?batchId=${batchId}&limit=100`);

    // Assess: every single approved once (one decision in its timeline), every row one application, the batch's
    // counts those of a fresh listing
    expect(submits.every((s) => s.status === 202 || s.status === 409)).toBe(true);
    for (const app of finals) {
      expect(app.status).toBe('approved');
      const statuses = app.timeline.map((t: { status: string }) => t.status);
      expect(statuses.filter((s: string) => s === 'approved')).toHaveLength(1);
      expect(statuses.filter((s: string) => s === 'submitted')).toHaveLength(1);
      expect(app.timeline.map((t: { sequence: number }) => t.sequence)).toEqual(statuses.map((_: string, i: number) => i + 1));
    }
    expect(report).toHaveLength(ROWS);
    expect(report.every((r) => r.outcome === 'created')).toBe(true);
    expect(new Set(report.map((r) => r.applicationId)).size).toBe(ROWS);
    expect(listed.body.items).toHaveLength(ROWS);
    const fresh: Record<string, number> = {};
    for (const app of listed.body.items as { status: string }[]) fresh[app.status] = (fresh[app.status] ?? 0) + 1;
    expect(Object.fromEntries(Object.entries(batch.counts as Record<string, number>).filter(([, n]) => n > 0))).toEqual(fresh);
    expect(batch).toMatchObject({ rows: { total: ROWS, accepted: ROWS, rejected: 0 }, counts: { approved: ROWS } });
    expect(Date.now() - started).toBeLessThan(90_000);
  }, 120_000);
});
