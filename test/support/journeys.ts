import { expect } from 'vitest';
import { type ApiCall, eventually } from './api-client.ts';
import { applicationBody, PDF } from './fixtures.ts';

/**
 * Steps of a customer's journey through the API, shared by the whole-system tests.
 */

/** Creates a draft and uploads its closure proof through the presigned URL; returns once the evidence is accepted. */
export async function draftWithEvidence(agency: ApiCall, overrides: Record<string, unknown> = {}): Promise<string> {
  const created = await agency('POST', '/v1/applications', applicationBody(overrides));
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ status: 'draft', requiredEvidence: ['closure_proof'] });
  const id = created.body.id as string;

  const upload = await agency('POST', `/v1/applications/${id}/evidence`, {
    kind: 'closure_proof',
    contentType: 'application/pdf',
    contentLength: PDF.length,
  });
  expect(upload.status).toBe(201);
  const put = await fetch(upload.body.uploadUrl, { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body: PDF });
  expect(put.status).toBe(200);
  await eventually(async () => {
    const app = await agency('GET', `/v1/applications/${id}`);
    return app.body.evidence?.[0]?.status === 'accepted' ? app : undefined;
  }, 'the evidence to be accepted');
  return id;
}

/** The application once it has reached `status` (polls; fails after the default wait). */
export async function statusOf(agency: ApiCall, id: string, status: string) {
  return eventually(async () => {
    const app = await agency('GET', `/v1/applications/${id}`);
    return app.body.status === status ? app.body : undefined;
  }, `${id} to become ${status}`);
}
