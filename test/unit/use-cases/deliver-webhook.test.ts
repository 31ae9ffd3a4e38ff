import { describe, expect, it } from 'vitest';
import type { OutboxEvent, WebhookEndpoint } from '../../../shared/domain/records.ts';
import { METRIC_NAMES } from '../../../shared/observability/metric-names.ts';
import type { WebhookSender } from '../../../shared/ports/services.ts';
import { deliverWebhook, giveUpDelivery, pendingDelivery as newDelivery } from '../../../shared/use-cases/webhooks/deliveries.ts';
import { agency, withLocalTable, type TestDeps, testDeps } from './support/local-deps.ts';

type Answer = Awaited<ReturnType<WebhookSender['send']>>;

/** One delivery attempt, and what it counts: every attempt made is a success or a failure of the webhook metrics. */
describe('a webhook delivery attempt', { timeout: 30_000 }, () => {
  let deps: TestDeps;
  withLocalTable((table) => {
    deps = testDeps(table);
  });

  let sequence = 0;
  /** A pending delivery of a fresh event to a fresh endpoint of a fresh tenant; `answer` is what the endpoint does. */
  async function pendingDelivery(answer: Answer) {
    const tenantId = agency().tenantId;
    const n = ++sequence;
    const endpoint: WebhookEndpoint = {
      endpointId: `ep_attempt_${n}`,
      tenantId,
      url: `https://hooks.example.com/${n}`,
      eventTypes: [],
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      previousSecrets: [],
      status: 'enabled',
      createdAt: '2026-11-29T00:00:00.000Z',
    };
    const outbox: OutboxEvent = {
      eventId: `evt_attempt_${tenantId}_${n}`,
      tenantId,
      event: {
        type: 'application.created',
        timestamp: '2026-11-29T01:00:00.000Z',
        data: { applicationId: `app_${n}`, status: 'draft', sequence: 1, attempt: 1, filingNumber: `京ICP备2026${String(n).padStart(6, '0')}号-1` },
      },
    };
    await deps.webhooks.putEndpoint(endpoint);
    await deps.applications.emit(outbox);
    const delivery = newDelivery(outbox, endpoint.endpointId, deps.clock.now().toISOString());
    await deps.webhooks.createDelivery(delivery);
    const deliveryId = delivery.deliveryId;
    const attemptDeps = { ...deps, sender: { send: async (): Promise<Answer> => answer } };
    return { input: { deliveryId, tenantId }, attemptDeps };
  }

  const counts = () => ({
    succeeded: deps.metrics.of(METRIC_NAMES.deliveriesSucceeded),
    failed: deps.metrics.of(METRIC_NAMES.deliveriesFailed),
  });

  it('counts a delivered attempt as succeeded, and nothing when the delivery is over', async () => {
    // Prepare
    const { input, attemptDeps } = await pendingDelivery({ outcome: 'delivered', status: 204, durationMs: 3 });
    const before = counts();

    // Act
    const first = await deliverWebhook(attemptDeps, input);
    const again = await deliverWebhook(attemptDeps, input);

    // Assess
    expect([first, again]).toEqual([{ outcome: 'delivered' }, { outcome: 'delivered' }]);
    expect(counts()).toEqual({ succeeded: before.succeeded + 1, failed: before.failed });
  });

  it('counts every attempt that did not succeed as failed: an error status (retried), 410 Gone, a refused address', async () => {
    // Prepare
    const answers: Answer[] = [
      { outcome: 'retryable', status: 500, durationMs: 3 },
      { outcome: 'gone', status: 410, durationMs: 3 },
      { outcome: 'refused', durationMs: 0, error: 'The address is private' },
    ];
    const deliveries = await Promise.all(answers.map(pendingDelivery));
    const before = counts();

    // Act
    const outcomes = await Promise.all(deliveries.map(({ input, attemptDeps }) => deliverWebhook(attemptDeps, input).catch((e: Error) => e.name)));

    // Assess
    expect(outcomes).toEqual(['DeliveryFailedError', { outcome: 'endpoint_disabled' }, { outcome: 'failed' }]);
    expect(counts()).toEqual({ succeeded: before.succeeded, failed: before.failed + 3 });
  });
  /**
   * Two attempts of one delivery at once (the dispatcher reading its stream record again after a restart, beside the
   * delivery's workflow run): the one whose answer comes last must not undo what the other recorded.
   */
  async function racedAttempts(late: Answer, early: Answer) {
    const { input, attemptDeps } = await pendingDelivery(early);
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let sent = (): void => undefined;
    const lateSent = new Promise<void>((resolve) => (sent = resolve));
    const lateDeps = {
      ...attemptDeps,
      sender: {
        send: async (): Promise<Answer> => {
          sent();
          await released;
          return late;
        },
      },
    };
    // The late attempt reads the delivery and sends first; the early one reads, sends and records before it is answered.
    const lateOutcome = deliverWebhook(lateDeps, input).catch((e: Error) => e.name);
    await lateSent;
    const earlyOutcome = await deliverWebhook(attemptDeps, input).catch((e: Error) => e.name);
    release();
    const outcomes = { early: earlyOutcome, late: await lateOutcome };
    const delivery = await deps.webhooks.getDelivery(input.deliveryId);
    const log = (await deps.webhooks.listAttempts(input.deliveryId)).map((a) => [a.attempt, a.status]);
    return { outcomes, delivery: { status: delivery?.status, attempts: delivery?.attempts }, log };
  }

  it('keeps a delivery delivered when an attempt made at the same time fails after it, and logs both attempts', async () => {
    // Act
    const raced = await racedAttempts(
      { outcome: 'retryable', status: 429, retryAfterSeconds: 5, durationMs: 3 },
      { outcome: 'delivered', status: 204, durationMs: 3 },
    );

    // Assess: the late 429 asks for no retry (the endpoint has the event) and leaves the delivery delivered
    expect(raced).toEqual({
      outcomes: { early: { outcome: 'delivered' }, late: { outcome: 'delivered' } },
      delivery: { status: 'delivered', attempts: 2 },
      log: [
        [1, 204],
        [2, 429],
      ],
    });
  });

  it('records a delivery delivered when its attempt succeeds after one made at the same time failed', async () => {
    // Act
    const raced = await racedAttempts(
      { outcome: 'delivered', status: 204, durationMs: 3 },
      { outcome: 'retryable', status: 500, durationMs: 3 },
    );

    // Assess
    expect(raced).toEqual({
      outcomes: { early: 'DeliveryFailedError', late: { outcome: 'delivered' } },
      delivery: { status: 'delivered', attempts: 2 },
      log: [
        [1, 500],
        [2, 204],
      ],
    });
  });
  it('gives up only a delivery still pending: one delivered after the give-up read it stays delivered', async () => {
    // Prepare: the give-up reads the delivery pending; an attempt delivers it before the give-up writes
    const { input, attemptDeps } = await pendingDelivery({ outcome: 'delivered', status: 204, durationMs: 3 });
    const readBefore = await deps.webhooks.getDelivery(input.deliveryId);
    await deliverWebhook(attemptDeps, input);
    const staleRead = Object.assign(Object.create(deps.webhooks) as TestDeps['webhooks'], { getDelivery: async () => readBefore });

    // Act
    await giveUpDelivery({ ...deps, webhooks: staleRead }, input);

    // Assess
    expect((await deps.webhooks.getDelivery(input.deliveryId))?.status).toBe('delivered');
  });
});
