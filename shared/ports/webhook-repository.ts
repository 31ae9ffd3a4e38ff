import type { Delivery, DeliveryAttempt, OutboxEvent, WebhookEndpoint } from '../domain/records.ts';
import type { Page } from './application-repository.ts';

/** Webhook endpoints, the events to deliver, and the delivery log. */
export interface WebhookRepository {
  putEndpoint(endpoint: WebhookEndpoint): Promise<void>;
  getEndpoint(tenantId: string, endpointId: string): Promise<WebhookEndpoint | undefined>;
  listEndpoints(tenantId: string): Promise<WebhookEndpoint[]>;
  disableEndpoint(tenantId: string, endpointId: string, reason: string, at: string): Promise<void>;
  getEvent(eventId: string): Promise<OutboxEvent | undefined>;
  /** Creates the delivery unless it exists (dispatch may run twice for one event); true when it was created. */
  createDelivery(delivery: Delivery): Promise<boolean>;
  getDelivery(deliveryId: string): Promise<Delivery | undefined>;
  /**
   * Appends an attempt to the log and sets the delivery's status and attempt count; `delivery` is the record as read
   * before the attempt. Two attempts of one delivery can be under way at once (the dispatcher reading its stream record
   * again after a restart, beside the delivery's workflow run): one recorded in between is kept, this one is numbered
   * after it, and the status is this one's only if the delivery was still pending or this attempt delivered, so a late
   * failure never turns a delivered delivery pending again.
   * @returns the delivery as recorded (its status is what the caller acts on, not the attempt's own)
   */
  recordAttempt(delivery: Delivery, attempt: DeliveryAttempt, status: Delivery['status']): Promise<Delivery>;
  /** Ends a pending delivery with `status`; one no longer pending (an attempt ended it meanwhile) is left as it is. */
  setDeliveryStatus(deliveryId: string, status: Delivery['status'], at: string): Promise<void>;
  listAttempts(deliveryId: string): Promise<DeliveryAttempt[]>;
  /** An endpoint's deliveries, newest first. */
  listDeliveries(endpointId: string, options: { limit: number; cursor?: string }): Promise<Page<Delivery>>;
  /**
   * Marks a finished delivery pending again for a manual redelivery; false when it is pending already or another
   * redelivery won the race. Returns the delivery as updated.
   */
  restartDelivery(delivery: Delivery, at: string): Promise<Delivery | undefined>;
  /** Replaces the endpoint (e.g. after a secret rotation), guarded by the secret it had when read. */
  replaceEndpoint(previous: WebhookEndpoint, next: WebhookEndpoint): Promise<boolean>;
}
