import { createHash } from 'node:crypto';
import { AppError, ConflictError, NotFoundError, ValidationError, WORKFLOW_ERROR_NAMES } from '../../domain/errors.ts';
import type { Delivery, OutboxEvent, Principal, WebhookEndpoint } from '../../domain/records.ts';
import { log } from '../../log.ts';
import { METRIC_NAMES } from '../../observability/metric-names.ts';
import type { Deps } from '../../ports/deps.ts';
import { signWebhook } from '../../webhooks/sign.ts';

/** This attempt failed in a way a later attempt may not; the delivery workflow retries on this name. */
export class DeliveryFailedError extends AppError {
  override readonly name = WORKFLOW_ERROR_NAMES.deliveryFailed;
  readonly status = 502;
  readonly type = 'delivery-failed';
  readonly title = 'The webhook endpoint did not accept the event';
}

/** The delivery used all its attempts; not retried (the workflow gives up and the delivery stays in the log). */
export class DeliveryExhaustedError extends AppError {
  override readonly name = 'DeliveryExhaustedError';
  readonly status = 502;
  readonly type = 'delivery-exhausted';
  readonly title = 'The webhook endpoint did not accept the event in any attempt';
}

/** Attempts per delivery run, whatever mix of backoff retries and Retry-After waits (matches the workflow's Retry). */
export const MAX_DELIVERY_ATTEMPTS = 20;
/** A Retry-After longer than this is cut to it (the backoff cap of the delivery workflow). */
export const MAX_RETRY_AFTER_SECONDS = 6 * 3600;

/** One delivery per (event, endpoint), with an id derived from both so that dispatching twice creates nothing new. */
export function deliveryIdFor(eventId: string, endpointId: string): string {
  return `dlv_${createHash('sha256').update(`${eventId}|${endpointId}`).digest('hex').slice(0, 32)}`;
}

function subscribes(endpoint: WebhookEndpoint, type: string): boolean {
  return endpoint.status === 'enabled' && (endpoint.eventTypes.length === 0 || endpoint.eventTypes.includes(type as never));
}

/** Reads a tenant's endpoints; `endpointsOncePerTenant` shares one read among the events of a stream batch. */
export type EndpointReader = (tenantId: string) => Promise<WebhookEndpoint[]>;

/**
 * The tenant's endpoints read once for a batch of stream records: a batch ingestion's thousands of events of one
 * tenant then cost one query per stream batch, not one per event. An endpoint registered while the batch is being
 * dispatched gets the events written after it, as it would a moment later anyway.
 */
export function endpointsOncePerTenant(deps: Pick<Deps, 'webhooks'>): EndpointReader {
  const read = new Map<string, Promise<WebhookEndpoint[]>>();
  return (tenantId) => {
    let endpoints = read.get(tenantId);
    if (!endpoints) {
      endpoints = deps.webhooks.listEndpoints(tenantId);
      // A failed read is not kept: the record is retried, and the next event of the tenant reads again.
      endpoints.catch(() => read.delete(tenantId));
      read.set(tenantId, endpoints);
    }
    return endpoints;
  };
}

/** Whether the dispatcher may still make a first attempt itself (it has the time for one more). */
export type InlineBudget = () => boolean;

/**
 * Fans one outbox event out to the tenant's endpoints that subscribe to its type: a delivery record each, and its
 * first attempt made right here (`firstAttempt`). Only a delivery whose first attempt fails (or that the dispatcher
 * has no time left to attempt) starts the retry workflow. Safe to run twice for the same event (the stream delivers
 * at least once): an existing delivery is attempted only if nobody has attempted it yet.
 */
export async function dispatchEvent(
  deps: Pick<Deps, 'webhooks' | 'delivery' | 'clock' | 'sender' | 'metrics'>,
  outbox: OutboxEvent,
  endpointsOf: EndpointReader = (tenantId) => deps.webhooks.listEndpoints(tenantId),
  canAttempt: InlineBudget = () => true,
): Promise<number> {
  const endpoints = (await endpointsOf(outbox.tenantId)).filter((e) => subscribes(e, outbox.event.type));
  const at = deps.clock.now().toISOString();
  for (const endpoint of endpoints) {
    const delivery = pendingDelivery(outbox, endpoint.endpointId, at);
    const created = await deps.webhooks.createDelivery(delivery);
    // Dispatched before (a retried stream record): the record as it is now decides what is left to do.
    const current = created ? delivery : await deps.webhooks.getDelivery(delivery.deliveryId);
    if (current) await firstAttempt(deps, current, canAttempt);
  }
  return endpoints.length;
}

/** A new delivery of `outbox` to one endpoint, not attempted yet. */
export function pendingDelivery(outbox: OutboxEvent, endpointId: string, at: string): Delivery {
  return {
    deliveryId: deliveryIdFor(outbox.eventId, endpointId),
    tenantId: outbox.tenantId,
    eventId: outbox.eventId,
    endpointId,
    eventType: outbox.event.type,
    status: 'pending',
    attempts: 0,
    redeliveries: 0,
    createdAt: at,
    updatedAt: at,
  };
}

/** The first retry's wait after a failed first attempt: full jitter over the workflow's first interval (30 s). */
export function firstRetryWaitSeconds(random: () => number = Math.random): number {
  return Math.floor(random() * (FIRST_RETRY_INTERVAL_SECONDS + 1));
}
/** `DELIVERY_RETRY.interval` of the delivery workflow (infra/constructs/delivery-workflow.ts), which retries after it. */
export const FIRST_RETRY_INTERVAL_SECONDS = 30;

/**
 * The dispatcher's part of a delivery: its first attempt, without a workflow; the retry workflow only when that
 * attempt asks for another (a failure, a Retry-After), waiting first what the attempt earned.
 * - Not attempted yet and time left: attempt now. Delivered, gone (410) or refused: done, no workflow.
 * - Not attempted yet but no time left in this invocation: the workflow makes the first attempt, at once.
 * - Attempted already by an earlier run of this dispatch that ended before starting the workflow: start it.
 * - Not pending any more: nothing to do.
 */
async function firstAttempt(
  deps: Pick<Deps, 'webhooks' | 'delivery' | 'clock' | 'sender' | 'metrics'>,
  delivery: Delivery,
  canAttempt: InlineBudget,
): Promise<void> {
  if (delivery.status !== 'pending') return;
  const run = { deliveryId: delivery.deliveryId, tenantId: delivery.tenantId };
  if (delivery.attempts > 0) return deps.delivery.start({ ...run, waitSeconds: firstRetryWaitSeconds() });
  if (!canAttempt()) return deps.delivery.start({ ...run, waitSeconds: 0 });
  try {
    const result = await attemptDelivery(deps, delivery);
    if ('waitSeconds' in result) await deps.delivery.start({ ...run, waitSeconds: result.waitSeconds });
  } catch (error) {
    if (!(error instanceof DeliveryFailedError)) throw error;
    await deps.delivery.start({ ...run, waitSeconds: firstRetryWaitSeconds() });
  }
}

/** The secrets to sign with: the current one, and those replaced by a rotation that have not expired yet. */
export function signingSecrets(endpoint: WebhookEndpoint, now: Date): string[] {
  return [endpoint.secret, ...endpoint.previousSecrets.filter((p) => new Date(p.expiresAt) > now).map((p) => p.secret)];
}

export type DeliveryResult = { outcome: string } | { outcome: 'retry_after'; waitSeconds: number };

/**
 * One delivery attempt: sign the event with the endpoint's secrets (Standard Webhooks; the event id is the message id,
 * the same on every retry and redelivery), POST it, log the attempt.
 * - 2xx: delivered. 410: the endpoint is disabled. A refused (unsafe) target: failed, not retried.
 * - an answer with `Retry-After` (429, 503…): `{ outcome: 'retry_after', waitSeconds }`; the workflow waits that long.
 * - anything else: `DeliveryFailedError`, which the delivery workflow retries with backoff for about three days.
 * - the 20th failed attempt: `DeliveryExhaustedError`, and the workflow gives up.
 * Every attempt made is counted: `DeliveriesSucceeded` when delivered, else `DeliveriesFailed` (410 and a refused
 * address included); a delivery not attempted (unknown, over, its endpoint disabled) counts nothing.
 */
export async function deliverWebhook(
  deps: Pick<Deps, 'webhooks' | 'sender' | 'clock' | 'metrics'>,
  input: { deliveryId: string; tenantId: string },
): Promise<DeliveryResult> {
  const delivery = await deps.webhooks.getDelivery(input.deliveryId);
  if (!delivery || delivery.tenantId !== input.tenantId) return { outcome: 'unknown_delivery' };
  return attemptDelivery(deps, delivery);
}

/** `deliverWebhook` on a delivery record in hand (the dispatcher's first attempt has just written it). */
async function attemptDelivery(deps: Pick<Deps, 'webhooks' | 'sender' | 'clock' | 'metrics'>, delivery: Delivery): Promise<DeliveryResult> {
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
  // Signed at the real time, not the business clock's: the receiver checks the timestamp against its own clock.
  const headers = signWebhook({ id: event.eventId, timestamp: deps.clock.wallNow(), payload: body, secrets: signingSecrets(endpoint, now) });
  const response = await deps.sender.send({ url: endpoint.url, headers, body });
  deps.metrics.count(response.outcome === 'delivered' ? METRIC_NAMES.deliveriesSucceeded : METRIC_NAMES.deliveriesFailed);
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
  // What is recorded decides, not this attempt alone: another attempt of the delivery made at the same time may have
  // delivered it meanwhile (then this failure asks for no retry), or been recorded first (then this one comes after it).
  const recorded = await deps.webhooks.recordAttempt(delivery, attempt, status);
  if (response.outcome === 'gone') {
    await deps.webhooks.disableEndpoint(endpoint.tenantId, endpoint.endpointId, 'The endpoint answered 410 Gone', attempt.at);
  }
  if (recorded.status === 'pending') {
    log.warn('webhook delivery failed', { deliveryId: delivery.deliveryId, status: response.status, error: response.error });
    const failure = `Attempt ${recorded.attempts} failed (${response.status ?? response.error ?? 'no answer'}).`;
    if (recorded.attempts >= MAX_DELIVERY_ATTEMPTS * (recorded.redeliveries + 1)) throw new DeliveryExhaustedError(failure);
    if (response.retryAfterSeconds !== undefined) {
      return { outcome: 'retry_after', waitSeconds: Math.min(Math.max(response.retryAfterSeconds, 1), MAX_RETRY_AFTER_SECONDS) };
    }
    throw new DeliveryFailedError(failure);
  }
  return { outcome: recorded.status };
}

/** After the last retry: the delivery is failed (it stays in the log, and can be redelivered by hand). */
export async function giveUpDelivery(deps: Pick<Deps, 'webhooks' | 'clock'>, input: { deliveryId: string }): Promise<void> {
  const delivery = await deps.webhooks.getDelivery(input.deliveryId);
  if (delivery?.status !== 'pending') return;
  await deps.webhooks.setDeliveryStatus(input.deliveryId, 'failed', deps.clock.now().toISOString());
}

/** What the delivery log shows of a delivery. */
export function deliveryView(delivery: Delivery) {
  return {
    id: delivery.deliveryId,
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    ...(delivery.eventType ? { eventType: delivery.eventType } : {}),
    status: delivery.status,
    attempts: delivery.attempts,
    redeliveries: delivery.redeliveries,
    createdAt: delivery.createdAt,
    updatedAt: delivery.updatedAt,
  };
}

async function ownedDelivery(deps: Pick<Deps, 'webhooks'>, principal: Principal, deliveryId: string): Promise<Delivery> {
  const delivery = await deps.webhooks.getDelivery(deliveryId);
  if (!delivery || delivery.tenantId !== principal.tenantId) throw new NotFoundError(`No delivery ${deliveryId}.`);
  return delivery;
}

/** How many deliveries a page of an endpoint's log holds, unless `?limit=` says (the API's document reads these). */
export const DELIVERY_PAGE = { defaultLimit: 50, maxLimit: 200 } as const;

/** The delivery log of one of the tenant's endpoints, newest first. */
export async function listDeliveries(
  deps: Pick<Deps, 'webhooks'>,
  principal: Principal,
  endpointId: string,
  query: { limit?: string; cursor?: string },
) {
  const endpoint = await deps.webhooks.getEndpoint(principal.tenantId, endpointId);
  if (!endpoint) throw new NotFoundError(`No webhook endpoint ${endpointId}.`);
  const limit = query.limit === undefined ? DELIVERY_PAGE.defaultLimit : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > DELIVERY_PAGE.maxLimit) {
    throw new ValidationError('limit is out of range.', {
      errors: [{ path: 'limit', code: 'out_of_range', message: 'Use a whole number from 1 to 200 (default 50).' }],
    });
  }
  const page = await deps.webhooks.listDeliveries(endpointId, { limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
  return { items: page.items.map(deliveryView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

/** One delivery with every attempt: when, what the endpoint answered, how long it took. */
export async function getDelivery(deps: Pick<Deps, 'webhooks'>, principal: Principal, deliveryId: string) {
  const delivery = await ownedDelivery(deps, principal, deliveryId);
  return { ...deliveryView(delivery), attemptLog: await deps.webhooks.listAttempts(deliveryId) };
}

/**
 * Sends a delivery again, with a fresh run of attempts: after the endpoint was fixed (a failed delivery), or to replay
 * an event (a delivered one). The message id stays the event id, so receivers can still deduplicate.
 * 409 while it is still being attempted, or when the endpoint is disabled.
 */
export async function redeliver(deps: Pick<Deps, 'webhooks' | 'delivery' | 'clock'>, principal: Principal, deliveryId: string) {
  const delivery = await ownedDelivery(deps, principal, deliveryId);
  if (delivery.status === 'pending') throw new ConflictError('This delivery is still being attempted; wait for it to end.');
  const endpoint = await deps.webhooks.getEndpoint(principal.tenantId, delivery.endpointId);
  if (endpoint?.status !== 'enabled') {
    throw new ConflictError('The endpoint is disabled; register it again (or fix it and create a new endpoint) before redelivering.');
  }
  const restarted = await deps.webhooks.restartDelivery(delivery, deps.clock.now().toISOString());
  if (!restarted) throw new ConflictError('Another redelivery of this delivery has just started.');
  await deps.delivery.start({ deliveryId, tenantId: delivery.tenantId, run: restarted.redeliveries });
  return deliveryView(restarted);
}
