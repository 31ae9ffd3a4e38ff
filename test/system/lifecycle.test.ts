import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { createTenant } from '../../shared/use-cases/authenticate.ts';
import { type ApiCall, apiClient, eventually } from '../support/api-client.ts';
import { applicationBody, PDF } from '../support/fixtures.ts';
import * as journeys from '../support/journeys.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * The whole path on the local runtime, through real HTTP, DynamoDB Local, s3rver and the CDK-synthesized state
 * machines: create → upload evidence (real presigned PUT) → submit → decisions by the operator → signed webhooks.
 */
describe('one cancellation, end to end', () => {
  let runtime: LocalRuntime;
  let agency: ApiCall;
  let operator: ApiCall;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-lifecycle-'));

  beforeAll(async () => {
    runtime = await startLocalRuntime({
      port: 0,
      dataDir,
      authority: 'manual',
      authorityDelayMs: 0,
      timeScale: 0.0001,
      maxResubmissions: 3,
    });
    agency = apiClient(runtime.url, runtime.demoTenant.agencyKey);
    operator = apiClient(runtime.url, runtime.demoTenant.operatorKey);
    receiver = await startWebhookReceiver();
    const endpoint = await agency('POST', '/v1/webhook-endpoints', { url: receiver.url });
    expect(endpoint.status).toBe(201);
    expect(endpoint.body.secret).toMatch(/^whsec_/);
    receiver.useSecret(endpoint.body.secret);
  });

  afterAll(async () => {
    await receiver?.stop();
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const draftWithEvidence = (overrides: Record<string, unknown> = {}) => journeys.draftWithEvidence(agency, overrides);
  const statusOf = (id: string, status: string) => journeys.statusOf(agency, id, status);

  async function decide(id: string, decision: unknown) {
    await statusOf(id, 'under_review');
    const answer = await operator('POST', `/v1/reviews/${id}/decision`, decision);
    expect(answer.status).toBe(202);
  }

  const rejection = { outcome: 'rejected', reasons: [{ code: 'DOCUMENT_UNCLEAR', message: 'The scan is blurred' }] };

  it('approves a complete application and delivers every status change as a verified, signed webhook', async () => {
    // Prepare
    const id = await draftWithEvidence();

    // Act
    const submitted = await agency('POST', `/v1/applications/${id}/submit`);
    await decide(id, { outcome: 'approved' });
    const app = await statusOf(id, 'approved');

    // Assess
    expect(submitted.status).toBe(202);
    expect(app.evidence[0]).toMatchObject({ kind: 'closure_proof', status: 'accepted', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(app.timeline.map((t: { sequence: number; status: string }) => [t.sequence, t.status])).toEqual([
      [1, 'draft'],
      [2, 'submitted'],
      [3, 'under_review'],
      [4, 'approved'],
    ]);
    const hooks = await eventually(async () => {
      const got = receiver.forApplication(id);
      return got.length >= 4 ? got : undefined;
    }, 'four webhooks');
    expect(hooks.map((h) => h.type)).toEqual(['application.created', 'application.submitted', 'application.under_review', 'application.approved']);
    expect(hooks.every((h) => h.verified)).toBe(true);
    expect(hooks[3]?.body.data).toMatchObject({ applicationId: id, status: 'approved', sequence: 4, customerRef: 'order-42' });
  });

  it("tells the customer at once when the authority texts the verification code, with who got it and the deadline", async () => {
    // Prepare
    const id = await draftWithEvidence();
    await agency('POST', `/v1/applications/${id}/submit`);
    await statusOf(id, 'under_review');
    const sentAt = new Date(runtime.clock.now().getTime() - 60_000).toISOString();

    // Act
    const byAgency = await agency('POST', `/v1/reviews/${id}/verification`, {});
    const recorded = await operator('POST', `/v1/reviews/${id}/verification`, { sentAt });
    const again = await operator('POST', `/v1/reviews/${id}/verification`, {});
    const shown = await agency('GET', `/v1/applications/${id}`);
    const hook = await eventually(async () => receiver.forApplication(id).find((h) => h.type === 'application.verification_required'), 'the verification webhook');
    await decide(id, { outcome: 'approved' });
    const approved = await statusOf(id, 'approved');

    // Assess
    const expiresAt = new Date(Date.parse(sentAt) + 24 * 3600_000).toISOString();
    const verification = { by: 'website_principal', sentAt, expiresAt, maxAttempts: 5 };
    expect(byAgency.status).toBe(403);
    expect(recorded.status).toBe(202);
    expect(recorded.body).toMatchObject({ status: 'under_review', smsVerification: verification });
    expect(again.status).toBe(202);
    expect(shown.body.smsVerification).toEqual(verification);
    expect(hook.verified).toBe(true);
    expect(hook.body.data).toMatchObject({ applicationId: id, status: 'under_review', verification });
    expect(receiver.forApplication(id).filter((h) => h.type === 'application.verification_required')).toHaveLength(1);
    expect(approved).not.toHaveProperty('smsVerification');
  });

  it('goes rejected → resubmitted with corrections → approved, with the reasons in the webhook', async () => {
    // Prepare
    const id = await draftWithEvidence();
    await agency('POST', `/v1/applications/${id}/submit`);

    // Act
    await decide(id, rejection);
    const rejected = await statusOf(id, 'rejected');
    const resubmitted = await agency('POST', `/v1/applications/${id}/resubmit`, { websiteName: '示例网站（更正）' });
    await decide(id, { outcome: 'approved' });
    const approved = await statusOf(id, 'approved');

    // Assess
    expect(rejected.rejectionReasons).toEqual([expect.objectContaining(rejection.reasons[0])]);
    expect(resubmitted.status).toBe(202);
    expect(approved).toMatchObject({ attempts: 2, websiteName: '示例网站（更正）', rejectionReasons: [] });
    const hooks = await eventually(async () => {
      const got = receiver.forApplication(id);
      return got.some((h) => h.type === 'application.approved') ? got : undefined;
    }, 'the approval webhook');
    const rejectedHook = hooks.find((h) => h.type === 'application.rejected');
    expect(rejectedHook?.body.data).toMatchObject({ status: 'rejected', attempt: 1, reasons: [expect.objectContaining(rejection.reasons[0])] });
    expect(hooks.filter((h) => h.type === 'application.submitted').map((h) => h.body.data.attempt)).toEqual([1, 2]);
  });

  it('ends rejected_final on the fourth rejection', async () => {
    // Prepare
    const id = await draftWithEvidence();
    await agency('POST', `/v1/applications/${id}/submit`);

    // Act
    for (let attempt = 1; attempt <= 3; attempt++) {
      await decide(id, rejection);
      await statusOf(id, 'rejected');
      expect((await agency('POST', `/v1/applications/${id}/resubmit`, {})).status).toBe(202);
    }
    await decide(id, rejection);
    const final = await statusOf(id, 'rejected_final');

    // Assess
    expect(final.attempts).toBe(4);
    const resubmitAgain = await agency('POST', `/v1/applications/${id}/resubmit`, {});
    expect(resubmitAgain.status).toBe(409);
    await eventually(async () => (receiver.forApplication(id).some((h) => h.type === 'application.rejected_final') ? true : undefined), 'the final webhook');
  });

  it('answers bad input with the right 4xx problem and writes nothing', async () => {
    // Prepare
    const before = (await agency('GET', '/v1/applications?limit=200')).body.items.length;
    const other = await createTenant(runtime.deps, { name: 'Another agency' });
    const otherAgency = apiClient(runtime.url, other.agencyKey);
    const mine = await agency('POST', '/v1/applications', applicationBody());

    // Act
    const malformed = await agency('POST', '/v1/applications', '{"kind": ');
    const wrongTypes = await agency('POST', '/v1/applications', applicationBody({ domains: 'example.cn', subject: { name: 1, type: 'enterprise' } }));
    const unknownField = await agency('POST', '/v1/applications', { ...applicationBody(), priority: 'high' });
    const oversized = await agency('POST', '/v1/applications', applicationBody({ websiteName: 'x'.repeat(70 * 1024) }));
    const noKey = await fetch(`${runtime.url}/v1/applications`);
    const badKey = await apiClient(runtime.url, 'icp_agency_unknown')('GET', '/v1/applications');
    const foreign = await otherAgency('GET', `/v1/applications/${mine.body.id}`);
    const foreignSubmit = await otherAgency('POST', `/v1/applications/${mine.body.id}/submit`);
    const agencyDecides = await agency('POST', `/v1/reviews/${mine.body.id}/decision`, { outcome: 'approved' });
    const notUnderReview = await operator('POST', `/v1/reviews/${mine.body.id}/decision`, { outcome: 'approved' });
    const missingEvidence = await agency('POST', `/v1/applications/${mine.body.id}/submit`);

    // Assess
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toBe('application/problem+json');
    expect(malformed.body.errors[0]).toMatchObject({ path: '(body)', code: 'invalid_json' });
    expect(wrongTypes.status).toBe(400);
    expect(wrongTypes.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['domains', 'subject.name']);
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors).toEqual([expect.objectContaining({ path: 'priority', code: 'unknown_field' })]);
    expect(oversized.status).toBe(413);
    expect(noKey.status).toBe(401);
    expect(badKey.status).toBe(401);
    expect(foreign.status).toBe(404);
    expect(foreignSubmit.status).toBe(404);
    expect(agencyDecides.status).toBe(403);
    expect(notUnderReview.status).toBe(409);
    expect(missingEvidence.status).toBe(422);
    expect(missingEvidence.body.missingEvidence).toEqual(['closure_proof']);
    const after = await agency('GET', '/v1/applications?limit=200');
    expect(after.body.items.length).toBe(before + 1);
    expect((await otherAgency('GET', '/v1/applications')).body.items).toEqual([]);
    expect((await agency('GET', `/v1/applications/${mine.body.id}`)).body.status).toBe('draft');
  });

  it('binds the presigned upload to the declared type and size, and rejects content that is not what it claims', async () => {
    // Prepare
    const created = await agency('POST', '/v1/applications', applicationBody());
    const id = created.body.id as string;
    const declare = () =>
      agency('POST', `/v1/applications/${id}/evidence`, { kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length });
    const forType = await declare();
    const forSize = await declare();
    const forContent = await declare();
    const png = Buffer.from('not a pdf at all, just text padded to the size');
    const fake = Buffer.concat([png, Buffer.alloc(Math.max(0, PDF.length - png.length), 0x20)]).subarray(0, PDF.length);

    // Act
    const wrongType = await fetch(forType.body.uploadUrl, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: PDF });
    const wrongSize = await fetch(forSize.body.uploadUrl, {
      method: 'PUT',
      headers: { 'content-type': 'application/pdf' },
      body: Buffer.concat([PDF, Buffer.from('extra')]),
    });
    const lying = await fetch(forContent.body.uploadUrl, { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body: fake });
    const tooBig = await agency('POST', `/v1/applications/${id}/evidence`, {
      kind: 'closure_proof',
      contentType: 'application/pdf',
      contentLength: 50 * 1024 * 1024,
    });

    // Assess
    expect(wrongType.status).toBe(403);
    expect(wrongSize.status).toBe(403);
    expect(lying.status).toBe(200);
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.errors[0]).toMatchObject({ path: 'contentLength' });
    const app = await eventually(async () => {
      const got = await agency('GET', `/v1/applications/${id}`);
      return got.body.evidence.some((e: { status: string }) => e.status === 'rejected') ? got.body : undefined;
    }, 'the fake PDF to be rejected');
    const rejected = app.evidence.find((e: { evidenceId: string }) => e.evidenceId === forContent.body.evidenceId);
    expect(rejected).toMatchObject({ status: 'rejected', rejectionReason: expect.any(String), rejectionCode: expect.any(String) });
    const hook = await eventually(
      async () => receiver.forApplication(id).find((h) => h.type === 'application.evidence_rejected'),
      'the evidence_rejected webhook',
    );
    expect(hook.body.data.evidence).toEqual({
      evidenceId: forContent.body.evidenceId,
      kind: 'closure_proof',
      code: rejected.rejectionCode,
      message: rejected.rejectionReason,
    });
    expect(app.evidence.filter((e: { status: string }) => e.status === 'pending_upload')).toHaveLength(2);
  });

  it('lists the tenant\'s applications newest first, a page at a time', async () => {
    // Prepare
    const a = await agency('POST', '/v1/applications', applicationBody());
    const b = await agency('POST', '/v1/applications', applicationBody());

    // Act
    const first = await agency('GET', '/v1/applications?limit=1');
    const second = await agency('GET', `/v1/applications?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    const badLimit = await agency('GET', '/v1/applications?limit=1000');
    const badCursor = await agency('GET', '/v1/applications?cursor=garbage');

    // Assess
    expect(first.body.items.map((i: { id: string }) => i.id)).toEqual([b.body.id]);
    expect(second.body.items.map((i: { id: string }) => i.id)).toEqual([a.body.id]);
    expect(badLimit.status).toBe(400);
    expect(badCursor.status).toBe(400);
  });

  it('retries a failed webhook delivery until the endpoint accepts it, without holding up the application', async () => {
    // Prepare: the customer's endpoint fails the next two deliveries
    receiver.failNext(2);

    // Act
    const created = await agency('POST', '/v1/applications', applicationBody());

    // Assess
    expect(created.status).toBe(201);
    const hook = await eventually(
      async () => receiver.forApplication(created.body.id).find((h) => h.type === 'application.created'),
      'the created webhook after two failed attempts',
    );
    expect(hook.verified).toBe(true);
    expect(receiver.forApplication(created.body.id)).toHaveLength(1);
  });

  it('withdraws before the authority has the order, frees the filing, and refuses once it is under review', async () => {
    // Prepare
    const draftBody = applicationBody();
    const draft = await agency('POST', '/v1/applications', draftBody);
    const rejectedId = await draftWithEvidence();
    await agency('POST', `/v1/applications/${rejectedId}/submit`);
    await decide(rejectedId, rejection);
    await statusOf(rejectedId, 'rejected');
    const reviewedId = await draftWithEvidence();
    await agency('POST', `/v1/applications/${reviewedId}/submit`);
    await statusOf(reviewedId, 'under_review');

    // Act
    const withdrawnDraft = await agency('POST', `/v1/applications/${draft.body.id}/withdraw`);
    const sameFilingAgain = await agency('POST', '/v1/applications', draftBody);
    const withdrawnRejected = await agency('POST', `/v1/applications/${rejectedId}/withdraw`);
    const underReview = await agency('POST', `/v1/applications/${reviewedId}/withdraw`);

    // Assess
    expect(withdrawnDraft.status).toBe(200);
    expect(withdrawnDraft.body.status).toBe('withdrawn');
    expect(sameFilingAgain.status).toBe(201);
    expect(withdrawnRejected.body.status).toBe('withdrawn');
    const run = runtime.stepFunctions.describeExecution(
      `${process.env.REVIEW_STATE_MACHINE_ARN?.replace(':stateMachine:', ':execution:')}:${rejectedId}-1`,
    );
    expect(run.status).toBe('ABORTED');
    expect(underReview.status).toBe(409);
    await eventually(async () => (receiver.forApplication(rejectedId).some((h) => h.type === 'application.withdrawn') ? true : undefined), 'the withdrawn webhook');
  });

  it('honours Idempotency-Key: same body → same application, other body → 409', async () => {
    // Prepare
    const body = applicationBody();
    const key = `idem-${Date.now()}`;

    // Act
    const first = await agency('POST', '/v1/applications', body, { 'idempotency-key': key });
    const again = await agency('POST', '/v1/applications', body, { 'idempotency-key': key });
    const different = await agency('POST', '/v1/applications', { ...body, websiteName: 'Other' }, { 'idempotency-key': key });

    // Assess
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(different.status).toBe(409);
  });
});
