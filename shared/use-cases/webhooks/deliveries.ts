import { createHash } from 'node:crypto';
import { AppError } from '../../domain/errors.ts';
import type { OutboxEvent, WebhookEndpoint } from '../../domain/records.ts';
import { log } from '../../log.ts';
import type { Deps } from '../../ports/deps.ts';
import { signWebhook } from '../../webhooks/sign.ts';

/** This attempt failed in a way a later attempt may not; the delivery workflow retries on this name. */
export class DeliveryFailedError extends AppError {
  readonly status = 502;
  readonly type = 'delivery-failed';
  readonly title = 'The webhook endpoint did not accept the event';
}

/** One delivery per (event, endpoint), with an id derived from both so that dispatching twice creates nothing new. */
export function deliveryIdFor(eventId: string, endpointId: string): string {
  return `dlv_${createHash('sha256').update(`${eventId}|${endpointId}`).digest('hex').slice(0, 32)}`;
}

function subscribes(endpoint: WebhookEndpoint, type: string): boolean {
  return endpoint.status === 'enabled' && (endpoint.eventTypes.length === 0 || endpoint.eventTypes.includes(type as never));
}

/**
 * Fans one outbox event out to the tenant's endpoints that subscribe to its type: a delivery record and a delivery
 * execution each. Safe to run twice for the same event (the stream delivers at least once).
 */
export async function dispatchEvent(deps: Pick<Deps, 'webhooks' | 'delivery' | 'clock'>, outbox: OutboxEvent): Promise<number> {
  const endpoints = (await deps.webhooks.listEndpoints(outbox.tenantId)).filter((e) => subscribes(e, outbox.event.type));
  const at = deps.clock.now().toISOString();
  for (const endpoint of endpoints) {
    const deliveryId = deliveryIdFor(outbox.eventId, endpoint.endpointId);
    await deps.webhooks.createDelivery({
      deliveryId,
      tenantId: outbox.tenantId,
      eventId: outbox.eventId,
      endpointId: endpoint.endpointId,
      status: 'pending',
      attempts: 0,
      createdAt: at,
      updatedAt: at,
    });
    // Started even when the record existed: the first dispatch may have crashed between the two steps.
    await deps.delivery.start({ deliveryId, tenantId: outbox.tenantId });
  }
  return endpoints.length;
}

/**
 * One delivery attempt: sign the event with the endpoint's secret (Standard Webhooks; the event id is the message id,
 * the same on every retry), POST it, log the attempt.
 * - 2xx: delivered. 410: the endpoint is disabled. A refused (unsafe) target: failed, not retried.
 * - anything else: `DeliveryFailedError`, which the delivery workflow retries with backoff for about three days.
 */
export async function deliverWebhook(
  deps: Pick<Deps, 'webhooks' | 'sender' | 'clock'>,
  input: { deliveryId: string; tenantId: string },
): Promise<{ outcome: string }> {
  const delivery = await deps.webhooks.getDelivery(input.deliveryId);
  if (!delivery || delivery.tenantId !== input.tenantId) return { outcome: 'unknown_delivery' };
  if (delivery.status !== 'pending') return { outcome: delivery.status };
  const [event, endpoint] = await Promise.all([
    deps.webhooks.getEvent(delivery.eventId),
    deps.webhooks.getEndpoint(delivery.tenantId, delivery.endpointId),
  ]);
  const now = deps.clock.now();
  if (!event || !endpoint || endpoint.status !== 'enabled') {
    await deps.webhooks.setDeliveryStatus(delivery.deliveryId, 'endpoint_disabled', now.toISOString());
    return { outcome: 'endpoint_disabled' };
  }
  const body = JSON.stringify(event.event);
  const headers = signWebhook({ id: event.eventId, timestamp: now, payload: body, secrets: [endpoint.secret] });
  const response = await deps.sender.send({ url: endpoint.url, headers, body });
  const attempt = {
    attempt: delivery.attempts + 1,
    at: now.toISOString(),
    outcome: response.outcome,
    durationMs: response.durationMs,
    ...(response.status === undefined ? {} : { status: response.status }),
    ...(response.error === undefined ? {} : { error: response.error }),
  };
  const status =
    response.outcome === 'delivered'
      ? 'delivered'
      : response.outcome === 'gone'
        ? 'endpoint_disabled'
        : response.outcome === 'refused'
          ? 'failed'
          : 'pending';
  await deps.webhooks.recordAttempt(delivery, attempt, status);
  if (response.outcome === 'gone') {
    await deps.webhooks.disableEndpoint(endpoint.tenantId, endpoint.endpointId, 'The endpoint answered 410 Gone', attempt.at);
  }
  if (status === 'pending') {
    log.warn('webhook delivery failed', { deliveryId: delivery.deliveryId, status: response.status, error: response.error });
    throw new DeliveryFailedError(`Attempt ${attempt.attempt} failed (${response.status ?? response.error ?? 'no answer'}).`);
  }
  return { outcome: status };
}

/** After the last retry: the delivery is failed (it stays in the log, and can be redelivered by hand). */
export async function giveUpDelivery(deps: Pick<Deps, 'webhooks' | 'clock'>, input: { deliveryId: string }): Promise<void> {
  const delivery = await deps.webhooks.getDelivery(input.deliveryId);
  if (delivery?.status !== 'pending') return;
  await deps.webhooks.setDeliveryStatus(input.deliveryId, 'failed', deps.clock.now().toISOString());
}
