/**
 * How long events, webhook deliveries and their attempt logs are kept (`EVENT_RETENTION_DAYS`), counted from the
 * event's time and the delivery's creation: DynamoDB's TTL then deletes them. Past it a delivery is gone — its log,
 * and any redelivery, since the event it would send is gone too.
 *
 * At least 7 days: a delivery's retries run for about three days, and a customer needs time to see that a delivery
 * failed and redeliver it. At most 365: every event and delivery is stored, and paid for, as long as it is kept.
 */
export const EVENT_RETENTION = { defaultDays: 30, minDays: 7, maxDays: 365 } as const;
