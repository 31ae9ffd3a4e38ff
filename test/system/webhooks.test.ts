import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { createTenant } from '../../shared/use-cases/authenticate.ts';
import { type ApiCall, apiClient, eventually } from '../support/api-client.ts';
import { applicationBody } from '../support/fixtures.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

/** Webhook delivery as a customer sees it: Retry-After, the delivery log, redelivery, secret rotation, SSRF refusals. */
describe('webhooks', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-webhooks-'));
  let runtime: LocalRuntime;
  let agency: ApiCall;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let endpointId: string;
  let secret: string;

  beforeAll(async () => {
    // Waits are scaled: a Retry-After of 120 s becomes 1.2 s here.
    runtime = await startLocalRuntime({ port: 0, dataDir, authority: 'manual', authorityDelayMs: 0, timeScale: 0.01 });
    agency = apiClient(runtime.url, runtime.demoTenant.agencyKey);
    receiver = await startWebhookReceiver();
    const endpoint = await agency('POST', '/v1/webhook-endpoints', { url: receiver.url, eventTypes: ['application.created'] });
    endpointId = endpoint.body.id;
    secret = endpoint.body.secret;
    receiver.useSecret(secret);
  });

  afterAll(async () => {
    await receiver?.stop();
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function deliveryFor(applicationId: string) {
    return eventually(async () => {
      const log = await agency('GET', `/v1/webhook-endpoints/${endpointId}/deliveries`);
      for (const item of log.body.items) {
        const detail = await agency('GET', `/v1/webhook-deliveries/${item.id}`);
        const event = receiver.received.find((w) => w.id === item.eventId);
        if (event?.body.data.applicationId === applicationId) return detail.body;
      }
      return undefined;
    }, `the delivery for ${applicationId}`);
  }

  it("waits for the endpoint's Retry-After before the next attempt, and logs every attempt", async () => {
    // Prepare
    receiver.failNext(1, { status: 429, headers: { 'retry-after': '120' } });
    const sentAt = Date.now();

    // Act
    const created = await agency('POST', '/v1/applications', applicationBody());

    // Assess
    const hook = await eventually(async () => receiver.forApplication(created.body.id)[0], 'the delivery after Retry-After');
    expect(hook.at - sentAt).toBeGreaterThanOrEqual(1000);
    const delivery = await deliveryFor(created.body.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, eventType: 'application.created' });
    expect(delivery.attemptLog.map((a: { outcome: string; status?: number }) => [a.outcome, a.status])).toEqual([
      ['retryable', 429],
      ['delivered', 204],
    ]);
  });

  it('retries a failed first attempt (made by the dispatcher) in the retry workflow, after the backoff', async () => {
    // Prepare
    receiver.failNext(1, { status: 500 });

    // Act
    const created = await agency('POST', '/v1/applications', applicationBody());

    // Assess
    await eventually(async () => receiver.forApplication(created.body.id)[0], 'the delivery after a 500');
    const delivery = await deliveryFor(created.body.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(delivery.attemptLog.map((a: { outcome: string; status?: number }) => [a.outcome, a.status])).toEqual([
      ['retryable', 500],
      ['delivered', 204],
    ]);
  });

  it('redelivers a delivered event on request, with the same webhook-id', async () => {
    // Prepare
    const created = await agency('POST', '/v1/applications', applicationBody());
    const first = await eventually(async () => receiver.forApplication(created.body.id)[0], 'the first delivery');
    const delivery = await deliveryFor(created.body.id);

    // Act
    const redelivered = await agency('POST', `/v1/webhook-deliveries/${delivery.id}/redeliver`);
    const again = await eventually(async () => receiver.forApplication(created.body.id)[1], 'the redelivery');

    // Assess
    expect(redelivered.status).toBe(202);
    expect(redelivered.body).toMatchObject({ status: 'pending', redeliveries: 1 });
    expect(again.id).toBe(first.id);
    expect(again.verified).toBe(true);
    const other = await createTenant(runtime.deps, { name: 'Another agency' });
    const foreign = await apiClient(runtime.url, other.agencyKey)('POST', `/v1/webhook-deliveries/${delivery.id}/redeliver`);
    expect(foreign.status).toBe(404);
    const foreignLog = await apiClient(runtime.url, other.agencyKey)('GET', `/v1/webhook-endpoints/${endpointId}/deliveries`);
    expect(foreignLog.status).toBe(404);
  });

  it('signs with the old and the new secret during a rotation', async () => {
    // Prepare
    const rotated = await agency('POST', `/v1/webhook-endpoints/${endpointId}/rotate-secret`);
    receiver.useSecret(secret, rotated.body.secret);

    // Act
    const created = await agency('POST', '/v1/applications', applicationBody());

    // Assess
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
    const hook = await eventually(async () => receiver.forApplication(created.body.id)[0], 'a delivery after the rotation');
    expect(hook.verifiedWith.sort()).toEqual([secret, rotated.body.secret].sort());
    const listed = await agency('GET', '/v1/webhook-endpoints');
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
  });

  it('refuses endpoints that point at private, link-local or metadata addresses', async () => {
    // Act
    const answers = await Promise.all(
      ['http://10.0.0.7/hook', 'http://169.254.169.254/latest/meta-data', 'http://[fd00::1]/hook', 'ftp://example.com/x'].map((url) =>
        agency('POST', '/v1/webhook-endpoints', { url }),
      ),
    );

    // Assess
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400]);
    expect(answers.every((a) => a.body.errors[0].path === 'url')).toBe(true);
  });
});
