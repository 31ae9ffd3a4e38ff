import type { Delivery, DeliveryAttempt, OutboxEvent, WebhookEndpoint } from '../domain/records.ts';

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
  /** Appends an attempt to the log and updates the delivery's status and attempt count. */
  recordAttempt(delivery: Delivery, attempt: DeliveryAttempt, status: Delivery['status']): Promise<void>;
  setDeliveryStatus(deliveryId: string, status: Delivery['status'], at: string): Promise<void>;
  listAttempts(deliveryId: string): Promise<DeliveryAttempt[]>;
}
