import { describe, expect, it, vi } from 'vitest';
import type { OutboxEvent, WebhookEndpoint } from '../../../shared/domain/records.ts';
import { METRIC_NAMES } from '../../../shared/observability/metric-names.ts';
import type { WebhookSender } from '../../../shared/ports/services.ts';
import {
  deliveryIdFor,
  dispatchEvent,
  endpointsOncePerTenant,
  FIRST_RETRY_INTERVAL_SECONDS,
  firstRetryWaitSeconds,
} from '../../../shared/use-cases/webhooks/deliveries.ts';
import { agency, withLocalTable, type TestDeps, testDeps } from './support/local-deps.ts';

type Answer = Awaited<ReturnType<WebhookSender['send']>>;
type Start = { deliveryId: string; tenantId: string; waitSeconds?: number };

describe('dispatching outbox events to the tenant\'s endpoints', { timeout: 30_000 }, () => {
  let deps: TestDeps;
  withLocalTable((table) => {
    deps = testDeps(table);
  });

  const endpoint = (tenantId: string, endpointId: string, eventTypes: WebhookEndpoint['eventTypes'] = []): WebhookEndpoint => ({
    endpointId,
    tenantId,
    url: `https://hooks.example.com/${endpointId}`,
    eventTypes,
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    previousSecrets: [],
    status: 'enabled',
    createdAt: '2026-11-29T00:00:00.000Z',
  });
  const event = (tenantId: string, n: number): OutboxEvent => ({
    eventId: `evt_dispatch_${tenantId}_${n}`,
    tenantId,
    event: {
      type: 'application.created',
      timestamp: '2026-11-29T01:00:00.000Z',
      data: { applicationId: `app_${n}`, status: 'draft', sequence: 1, attempt: 1, filingNumber: `京ICP备2026${String(n).padStart(6, '0')}号-1` },
    },
  });

  /** Deps whose endpoint answers `answers` in turn (the last one from then on), recording sends and workflow starts. */
  function dispatching(...answers: Answer[]) {
    const sent: string[] = [];
    const starts: Start[] = [];
    const dispatchDeps = {
      ...deps,
      sender: {
        send: async (input: { url: string }): Promise<Answer> => {
          sent.push(input.url);
          return answers[Math.min(sent.length, answers.length) - 1] as Answer;
        },
      },
      delivery: { start: async (input: Start) => void starts.push(input) },
    };
    return { dispatchDeps, sent, starts };
  }
  const delivered: Answer = { outcome: 'delivered', status: 204, durationMs: 3 };
  const failing: Answer = { outcome: 'retryable', status: 500, durationMs: 3, error: 'The endpoint answered 500' };

  /** An event of a fresh tenant with one endpoint subscribed to everything, written as the outbox writes it. */
  async function oneEndpoint(n: number) {
    const tenantId = agency().tenantId;
    const e = event(tenantId, n);
    await deps.webhooks.putEndpoint(endpoint(tenantId, `ep_${n}`));
    await deps.applications.emit(e);
    return { e, tenantId, deliveryId: deliveryIdFor(e.eventId, `ep_${n}`) };
  }

  it('reads each tenant\'s endpoints once for a batch of events and makes each first attempt itself: no workflow when it succeeds', async () => {
    // Prepare
    const [a, b] = [agency().tenantId, agency().tenantId];
    await deps.webhooks.putEndpoint(endpoint(a, 'ep_all'));
    await deps.webhooks.putEndpoint(endpoint(a, 'ep_approved_only', ['application.approved']));
    await deps.webhooks.putEndpoint(endpoint(b, 'ep_b'));
    const { dispatchDeps, sent, starts } = dispatching(delivered);
    const reads = vi.spyOn(deps.webhooks, 'listEndpoints');
    const events = [event(a, 1), event(b, 2), event(a, 3), event(a, 4)];
    for (const e of events) await deps.applications.emit(e);

    // Act
    const endpointsOf = endpointsOncePerTenant(deps);
    for (const e of events) await dispatchEvent(dispatchDeps, e, endpointsOf);

    // Assess
    expect(reads.mock.calls.map(([tenantId]) => tenantId)).toEqual([a, b]);
    expect(sent).toEqual(['ep_all', 'ep_b', 'ep_all', 'ep_all'].map((id) => `https://hooks.example.com/${id}`));
    expect(starts).toEqual([]);
    const records = await Promise.all(events.map((e, i) => deps.webhooks.getDelivery(deliveryIdFor(e.eventId, i === 1 ? 'ep_b' : 'ep_all'))));
    expect(records.map((d) => [d?.status, d?.attempts])).toEqual(Array.from({ length: 4 }, () => ['delivered', 1]));
    expect(deps.metrics.of(METRIC_NAMES.deliveriesSucceeded)).toBe(4);
    reads.mockRestore();
  });

  it('starts the retry workflow after a failed first attempt, waiting first the backoff that attempt earned', async () => {
    // Prepare
    const { e, tenantId, deliveryId } = await oneEndpoint(10);
    const { dispatchDeps, sent, starts } = dispatching(failing);

    // Act
    await dispatchEvent(dispatchDeps, e);

    // Assess
    expect(sent).toHaveLength(1);
    expect(starts).toEqual([{ deliveryId, tenantId, waitSeconds: expect.any(Number) }]);
    expect(starts[0]?.waitSeconds).toBeGreaterThanOrEqual(0);
    expect(starts[0]?.waitSeconds).toBeLessThanOrEqual(FIRST_RETRY_INTERVAL_SECONDS);
    expect(await deps.webhooks.getDelivery(deliveryId)).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('waits what the endpoint asked for (Retry-After) before the workflow\'s first attempt', async () => {
    // Prepare
    const { e, tenantId, deliveryId } = await oneEndpoint(11);
    const { dispatchDeps, starts } = dispatching({ ...failing, status: 429, retryAfterSeconds: 120 });

    // Act
    await dispatchEvent(dispatchDeps, e);

    // Assess
    expect(starts).toEqual([{ deliveryId, tenantId, waitSeconds: 120 }]);
  });

  it('starts no workflow when the first attempt ends the delivery: 410 disables the endpoint', async () => {
    // Prepare
    const { e, tenantId, deliveryId } = await oneEndpoint(12);
    const { dispatchDeps, starts } = dispatching({ outcome: 'gone', status: 410, durationMs: 3 });

    // Act
    await dispatchEvent(dispatchDeps, e);

    // Assess
    expect(starts).toEqual([]);
    expect(await deps.webhooks.getDelivery(deliveryId)).toMatchObject({ status: 'endpoint_disabled', attempts: 1 });
    expect((await deps.webhooks.getEndpoint(tenantId, 'ep_12'))?.status).toBe('disabled');
  });

  it('leaves the first attempt to the workflow, at once, when the invocation has no time left for one', async () => {
    // Prepare
    const { e, tenantId, deliveryId } = await oneEndpoint(13);
    const { dispatchDeps, sent, starts } = dispatching(delivered);

    // Act
    await dispatchEvent(dispatchDeps, e, undefined, () => false);

    // Assess
    expect(sent).toEqual([]);
    expect(starts).toEqual([{ deliveryId, tenantId, waitSeconds: 0 }]);
  });

  it('dispatched again after the start of the retry workflow failed: starts it, without a second immediate attempt', async () => {
    // Prepare: the first dispatch attempts, fails, and cannot start the workflow (throttled), so the record is retried.
    const { e, tenantId, deliveryId } = await oneEndpoint(14);
    const first = dispatching(failing);
    const throttled = { ...first.dispatchDeps, delivery: { start: async () => Promise.reject(new Error('ThrottlingException')) } };
    await expect(dispatchEvent(throttled, e)).rejects.toThrow('ThrottlingException');
    const again = dispatching(delivered);

    // Act
    await dispatchEvent(again.dispatchDeps, e);

    // Assess
    expect(first.sent).toHaveLength(1);
    expect(again.sent).toEqual([]);
    expect(again.starts).toEqual([{ deliveryId, tenantId, waitSeconds: expect.any(Number) }]);
    expect(await deps.webhooks.getDelivery(deliveryId)).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('dispatched again after a delivered first attempt: sends nothing and starts nothing', async () => {
    // Prepare
    const { e } = await oneEndpoint(15);
    const first = dispatching(delivered);
    await dispatchEvent(first.dispatchDeps, e);
    const again = dispatching(delivered);

    // Act
    await dispatchEvent(again.dispatchDeps, e);

    // Assess
    expect([first.sent.length, again.sent.length, again.starts.length]).toEqual([1, 0, 0]);
  });

  it('draws the first retry\'s wait with full jitter over the first interval', () => {
    expect([0, 0.5, 0.999999].map((r) => firstRetryWaitSeconds(() => r))).toEqual([0, 15, FIRST_RETRY_INTERVAL_SECONDS]);
  });

  it('reads again after a failed read instead of keeping the failure', async () => {
    // Prepare
    const tenantId = agency().tenantId;
    await deps.webhooks.putEndpoint(endpoint(tenantId, 'ep_retry'));
    const reads = vi.spyOn(deps.webhooks, 'listEndpoints').mockRejectedValueOnce(new Error('DynamoDB is busy'));
    const endpointsOf = endpointsOncePerTenant(deps);

    // Act
    const first = await endpointsOf(tenantId).catch((e: unknown) => e);
    const second = await endpointsOf(tenantId);

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(second.map((e) => e.endpointId)).toEqual(['ep_retry']);
    expect(reads).toHaveBeenCalledTimes(2);
    reads.mockRestore();
  });
});
