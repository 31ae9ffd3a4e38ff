import { DeliveryAttempt, Delivery as DeliveryRecord, EventType, WebhookEndpoint as WebhookEndpointRecord } from '../domain/records.ts';
import * as z from '../zod.ts';
import type { deliveryView, getDelivery } from '../use-cases/webhooks/deliveries.ts';
import type { endpointView, rotateWebhookSecret } from '../use-cases/webhooks/manage-endpoints.ts';
import type { Agrees, Assert } from './agree.ts';
import { pageOf, Timestamp } from './applications.ts';

/** The answers of the webhook routes (see `applications.ts` for how these are kept true to the code). */

export const WebhookEndpoint = z.strictObject({
  id: z.string().check(z.describe('`we_` and a ULID.')),
  url: z.url(),
  eventTypes: z.array(EventType).check(z.describe('The event types sent to it; empty: all of them.')),
  status: WebhookEndpointRecord.shape.status,
  disabledReason: z.optional(z.string()),
  createdAt: Timestamp,
  rotatingSecretsUntil: z.array(Timestamp).check(z.describe('Until when each secret replaced by a rotation still signs (a second signature).')),
});
type _WebhookEndpoint = Assert<Agrees<z.infer<typeof WebhookEndpoint>, ReturnType<typeof endpointView>>>;

/** At registration and after a rotation: the endpoint and its signing secret, shown this once. */
export const WebhookEndpointWithSecret = z.strictObject({
  ...WebhookEndpoint.shape,
  secret: z.string().check(z.regex(/^whsec_[A-Za-z0-9+/=]+$/), z.describe('`whsec_` and the base64 key: verify signatures with it (Standard Webhooks).')),
});
type _WithSecret = Assert<Agrees<z.infer<typeof WebhookEndpointWithSecret>, Awaited<ReturnType<typeof rotateWebhookSecret>>>>;

export const WebhookEndpointList = z.strictObject({ items: z.array(WebhookEndpoint) });

export const WebhookDelivery = z.strictObject({
  id: z.string().check(z.describe('`dlv_` and 32 hex digits.')),
  endpointId: z.string(),
  eventId: z.string().check(z.describe('The `webhook-id` header of every attempt.')),
  eventType: z.optional(EventType),
  status: DeliveryRecord.shape.status,
  attempts: z.number().check(z.int(), z.minimum(0)),
  redeliveries: z.number().check(z.int(), z.minimum(0)),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
type _WebhookDelivery = Assert<Agrees<z.infer<typeof WebhookDelivery>, ReturnType<typeof deliveryView>>>;

export const WebhookDeliveryAttempt = z.strictObject({ ...DeliveryAttempt.shape, at: Timestamp });

export const WebhookDeliveryDetail = z.strictObject({ ...WebhookDelivery.shape, attemptLog: z.array(WebhookDeliveryAttempt) });
type _WebhookDeliveryDetail = Assert<Agrees<z.infer<typeof WebhookDeliveryDetail>, Awaited<ReturnType<typeof getDelivery>>>>;

export const WebhookDeliveryList = pageOf(WebhookDelivery);
