import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { createTenant } from '../../shared/use-cases/authenticate.ts';
import { EVIDENCE_VIEW_URL_TTL_SECONDS } from '../../shared/use-cases/get-application-evidence.ts';
import { type ApiCall, apiClient } from '../support/api-client.ts';
import { applicationBody, PDF } from '../support/fixtures.ts';
import { draftWithEvidence } from '../support/journeys.ts';

/**
 * The view link of an evidence file (`GET /v1/applications/{id}/evidence/{evidenceId}`) against the local runtime: the
 * presigned GET, fetched as a browser would (no key), serves the very bytes that were checked, and stops working.
 */
describe('an evidence file\'s view link', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-evidence-link-'));
  let runtime: LocalRuntime;
  let agency: ApiCall;
  let operator: ApiCall;

  beforeAll(async () => {
    runtime = await startLocalRuntime({ port: 0, dataDir, authority: 'manual', authorityDelayMs: 0, timeScale: 1 });
    agency = apiClient(runtime.url, runtime.demoTenant.agencyKey);
    operator = apiClient(runtime.url, runtime.demoTenant.operatorKey);
  });

  afterAll(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the accepted file\'s bytes inline as its verified type, to the agency and its operator, for five minutes', async () => {
    // Prepare
    const id = await draftWithEvidence(agency);
    const evidenceId = (await agency('GET', `/v1/applications/${id}`)).body.evidence[0].evidenceId as string;

    // Act
    const links = await Promise.all([agency, operator].map((call) => call('GET', `/v1/applications/${id}/evidence/${evidenceId}`)));
    const files = await Promise.all(links.map((link) => fetch(link.body.download.url)));
    const bytes = await Promise.all(files.map(async (file) => Buffer.from(await file.arrayBuffer())));

    // Assess
    for (const [i, link] of links.entries()) {
      expect(link.status).toBe(200);
      expect(link.body).toMatchObject({ evidenceId, status: 'accepted', contentType: 'application/pdf', download: { method: 'GET', disposition: 'inline' } });
      expect(new URL(link.body.download.url).searchParams.get('X-Amz-Expires')).toBe(String(EVIDENCE_VIEW_URL_TTL_SECONDS));
      expect(files[i]?.status).toBe(200);
      expect(files[i]?.headers.get('content-type')).toBe('application/pdf');
      expect(files[i]?.headers.get('content-disposition')).toBe(`inline; filename="${evidenceId}.pdf"`);
      expect(bytes[i]).toEqual(PDF);
      expect(createHash('sha256').update(bytes[i] as Buffer).digest('hex')).toBe(link.body.sha256);
    }
  });

  it('answers 409 with a hint for a file not uploaded yet, and 404 to another tenant\'s keys', async () => {
    // Prepare
    const id = await draftWithEvidence(agency);
    const evidenceId = (await agency('GET', `/v1/applications/${id}`)).body.evidence[0].evidenceId as string;
    const declared = await agency('POST', `/v1/applications/${id}/evidence`, { kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length });
    const other = await createTenant(runtime.deps, { name: 'Another agency' });

    // Act
    const pending = await agency('GET', `/v1/applications/${id}/evidence/${declared.body.evidenceId}`);
    const foreign = await Promise.all(
      [other.agencyKey, other.operatorKey].map((key) => apiClient(runtime.url, key)('GET', `/v1/applications/${id}/evidence/${evidenceId}`)),
    );

    // Assess
    expect(pending.status).toBe(409);
    expect(pending.body).toMatchObject({ evidenceStatus: 'pending_upload', errors: [{ path: '(path).evidenceId', code: 'not_uploaded' }] });
    for (const answer of foreign) {
      expect(answer.status).toBe(404);
      expect(JSON.stringify(answer.body)).not.toContain('X-Amz');
    }
  });

  it('stops working once its time is up (a link signed longer ago than its lifetime)', async () => {
    // Prepare: the same presign as the route's, as of now and as of a minute past the lifetime.
    const id = await draftWithEvidence(agency, applicationBody());
    const { body } = await agency('GET', `/v1/applications/${id}`);
    const key = `evidence/${runtime.demoTenant.tenantId}/${id}/${body.evidence[0].evidenceId}`;
    const link = (signedAt: Date) =>
      runtime.deps.evidence.presignDownload({
        key,
        contentType: 'application/pdf',
        contentDisposition: 'inline',
        expiresInSeconds: EVIDENCE_VIEW_URL_TTL_SECONDS,
        signedAt,
      });
    const now = runtime.deps.clock.wallNow();

    // Act
    const fresh = await fetch(await link(now));
    const stale = await fetch(await link(new Date(now.getTime() - (EVIDENCE_VIEW_URL_TTL_SECONDS + 60) * 1000)));

    // Assess: the same URL but for its date works; S3 refuses the stale one (403, AccessDenied: "Request has expired").
    expect(fresh.status).toBe(200);
    expect(stale.status).toBe(403);
    expect(await stale.text()).toContain('expired');
  });
});
