import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '../../infra/local/runtime.ts';
import { apiClient, eventually } from '../support/api-client.ts';
import { draftWithEvidence, statusOf } from '../support/journeys.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

const base: Omit<LocalRuntimeOptions, 'dataDir' | 'authority'> = { port: 0, authorityDelayMs: 50, timeScale: 0.0001 };

describe('the local runtime keeps its data and resumes workflows across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-restart-'));
  let runtime: LocalRuntime | undefined;
  afterAll(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('decides an application that was under review when the runtime stopped, and sends a webhook whose retry was waiting', async () => {
    // Prepare: an application under review, and a webhook whose first attempt was answered 503 with a Retry-After of
    // an hour (its retry run waits that long: real time here), then a stop
    runtime = await startLocalRuntime({ ...base, timeScale: 1, dataDir, authority: 'manual' });
    const keys = runtime.demoTenant;
    let agency = apiClient(runtime.url, keys.agencyKey);
    const receiver = await startWebhookReceiver();
    const endpoint = await agency('POST', '/v1/webhook-endpoints', { url: receiver.url, eventTypes: ['application.submitted'] });
    receiver.useSecret(endpoint.body.secret);
    receiver.failNext(1, { status: 503, headers: { 'retry-after': '3600' } });
    const id = await draftWithEvidence(agency);
    await agency('POST', `/v1/applications/${id}/submit`);
    await statusOf(agency, id, 'under_review');
    const waiting = await eventually(async () => {
      const log = await agency('GET', `/v1/webhook-endpoints/${endpoint.body.id}/deliveries`);
      return log.body.items?.[0]?.attempts === 1 ? log.body.items[0] : undefined;
    }, 'the first attempt to fail');
    await runtime.stop();
    runtime = undefined;

    // Act: start again on the same data, and decide
    runtime = await startLocalRuntime({ ...base, timeScale: 1, dataDir, authority: 'manual' });
    agency = apiClient(runtime.url, runtime.demoTenant.agencyKey);
    const operator = apiClient(runtime.url, runtime.demoTenant.operatorKey);
    const decided = await eventually(async () => {
      const answer = await operator('POST', `/v1/reviews/${id}/decision`, { outcome: 'approved' });
      return answer.status === 202 ? answer : undefined;
    }, 'the decision to be accepted');
    const approved = await statusOf(agency, id, 'approved');

    // The retry run waiting for its hour was lost with the process: the start runs it again, at once.
    const delivered = await eventually(async () => {
      const delivery = await agency('GET', `/v1/webhook-deliveries/${waiting.id}`);
      return delivery.body.status === 'delivered' ? delivery.body : undefined;
    }, 'the webhook to be delivered after the restart');

    // Assess
    expect(runtime.demoTenant).toEqual(keys);
    expect(decided.status).toBe(202);
    expect(approved.timeline.map((t: { status: string }) => t.status)).toEqual(['draft', 'submitted', 'under_review', 'approved']);
    expect(delivered.attemptLog.map((a: { status?: number }) => a.status)).toEqual([503, 204]);
    expect(receiver.received.map((w) => [w.type, w.verified])).toEqual([['application.submitted', true]]);
    await receiver.stop();
  });
});

describe('the simulated authority', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-authority-'));
  let runtime: LocalRuntime | undefined;
  afterAll(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('texts the verification code, then approves a complete application whose site is closed, and rejects a site that still answers', async () => {
    // Prepare
    runtime = await startLocalRuntime({ ...base, dataDir, authority: 'simulated' });
    const agency = apiClient(runtime.url, runtime.demoTenant.agencyKey);
    const receiver = await startWebhookReceiver();
    const endpoint = await agency('POST', '/v1/webhook-endpoints', { url: receiver.url, eventTypes: ['application.verification_required', 'application.approved'] });
    receiver.useSecret(endpoint.body.secret);
    const closed = await draftWithEvidence(agency);
    const stillUp = await draftWithEvidence(agency, { domains: ['still-up.example.cn'] });

    // Act
    await agency('POST', `/v1/applications/${closed}/submit`);
    await agency('POST', `/v1/applications/${stillUp}/submit`);

    // Assess
    await statusOf(agency, closed, 'approved');
    const rejected = await statusOf(agency, stillUp, 'rejected');
    expect(rejected.rejectionReasons).toEqual([expect.objectContaining({ code: 'SITE_STILL_REACHABLE' })]);
    expect(rejected.siteProbe).toMatchObject({ reachable: true });
    const hooks = await eventually(async () => {
      const got = receiver.forApplication(closed);
      return got.length >= 2 ? got : undefined;
    }, 'the verification and approval webhooks');
    expect(hooks.map((h) => h.type)).toEqual(['application.verification_required', 'application.approved']);
    expect(hooks[0]?.body.data.verification).toMatchObject({ by: 'website_principal', maxAttempts: 5 });
    await receiver.stop();
  });
});
