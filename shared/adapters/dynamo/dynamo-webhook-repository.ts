import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { Delivery, DeliveryAttempt, OutboxEvent, WebhookEndpoint } from '../../domain/records.ts';
import { EVENT_RETENTION } from '../../domain/retention.ts';
import type { Page } from '../../ports/application-repository.ts';
import type { Clock } from '../../ports/services.ts';
import type { WebhookRepository } from '../../ports/webhook-repository.ts';
import { systemClock } from '../clock.ts';
import { isConditionFailure } from './client.ts';
import { expiresAfterDays, keys, listPartitions, listShard, stripKeys } from './keys.ts';
import { readNewestFirst } from './list-index.ts';

/** Attempts at recording one delivery attempt while others of the same delivery are being recorded (see recordAttempt). */
const RECORD_ATTEMPT_TRIES = 5;

/**
 * `WebhookRepository` on the records table (layout in `keys.ts`).
 *
 * Delivery records and their attempt logs are kept as long as the events they deliver (`retentionDays`,
 * `EVENT_RETENTION_DAYS`), then DynamoDB's TTL deletes them. TTL deletes within days of the expiry, not at it: an
 * expired event, delivery or attempt is read as absent from the moment it expires (by `clock`), so the API answers the
 * same (404) whether the sweep has come by yet or not.
 */
export class DynamoWebhookRepository implements WebhookRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: { retentionDays?: number; clock?: Clock } = {},
  ) {}

  async putEndpoint(endpoint: WebhookEndpoint): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.endpoint(endpoint.tenantId, endpoint.endpointId), entity: 'endpoint', ...endpoint },
      }),
    );
  }

  async getEndpoint(tenantId: string, endpointId: string): Promise<WebhookEndpoint | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.endpoint(tenantId, endpointId), ConsistentRead: true }),
    );
    return out.Item ? WebhookEndpoint.parse(stripKeys(out.Item)) : undefined;
  }

  async listEndpoints(tenantId: string): Promise<WebhookEndpoint[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ep)',
        ExpressionAttributeValues: { ':pk': keys.tenant(tenantId).pk, ':ep': 'ENDPOINT#' },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).map((i) => WebhookEndpoint.parse(stripKeys(i)));
  }

  async disableEndpoint(tenantId: string, endpointId: string, reason: string, at: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.endpoint(tenantId, endpointId),
        UpdateExpression: 'SET #status = :disabled, disabledReason = :reason, disabledAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':disabled': 'disabled', ':reason': reason, ':at': at },
      }),
    );
  }

  async getEvent(eventId: string): Promise<OutboxEvent | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.event(eventId) }));
    return out.Item && this.live(out.Item) ? OutboxEvent.parse(stripKeys(out.Item)) : undefined;
  }

  async createDelivery(delivery: Delivery): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.delivery(delivery.deliveryId),
            entity: 'delivery',
            gsi1pk: listShard(keys.deliveriesOfEndpoint(delivery.endpointId), delivery.deliveryId),
            gsi1sk: `${delivery.createdAt}#${delivery.deliveryId}`,
            ...delivery,
            expiresAt: expiresAfterDays(new Date(delivery.createdAt), this.retentionDays()),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async getDelivery(deliveryId: string): Promise<Delivery | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.delivery(deliveryId), ConsistentRead: true }),
    );
    return out.Item && this.live(out.Item) ? Delivery.parse(stripKeys(out.Item)) : undefined;
  }

  async recordAttempt(delivery: Delivery, attempt: DeliveryAttempt, status: Delivery['status']): Promise<Delivery> {
    let current = delivery;
    for (let tries = 1; ; tries++) {
      const entry = { ...attempt, attempt: current.attempts + 1 };
      // A late failure never undoes what another attempt recorded; a success is the truth whatever came before.
      const next = current.status === 'pending' || status === 'delivered' ? status : current.status;
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: {
                    ...keys.attempt(delivery.deliveryId, entry.attempt),
                    entity: 'delivery_attempt',
                    deliveryId: delivery.deliveryId,
                    ...entry,
                    expiresAt: expiresAfterDays(new Date(entry.at), this.retentionDays()),
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Update: {
                  TableName: this.tableName,
                  Key: keys.delivery(delivery.deliveryId),
                  UpdateExpression: 'SET #status = :status, attempts = :attempts, updatedAt = :at',
                  // As read: another attempt recorded since then moves `attempts` on (and may end the delivery).
                  ConditionExpression: 'attempts = :read AND #status = :was',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':status': next,
                    ':attempts': entry.attempt,
                    ':at': entry.at,
                    ':read': current.attempts,
                    ':was': current.status,
                  },
                },
              },
            ],
          }),
        );
        return { ...current, status: next, attempts: entry.attempt, updatedAt: entry.at };
      } catch (error) {
        if (!isConditionFailure(error) || tries >= RECORD_ATTEMPT_TRIES) throw error;
        const now = await this.getDelivery(delivery.deliveryId);
        if (!now) throw error;
        current = now;
      }
    }
  }

  async setDeliveryStatus(deliveryId: string, status: Delivery['status'], at: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.delivery(deliveryId),
          UpdateExpression: 'SET #status = :status, updatedAt = :at',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ':at': at, ':pending': 'pending' },
        }),
      );
    } catch (error) {
      // Ended meanwhile by an attempt made at the same time (delivered, say): that is the truth to keep.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async listAttempts(deliveryId: string): Promise<DeliveryAttempt[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
        ExpressionAttributeValues: { ':pk': keys.delivery(deliveryId).pk, ':a': 'ATTEMPT#' },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).filter((i) => this.live(i)).map((i) => DeliveryAttempt.parse(stripKeys(i)));
  }

  async listDeliveries(endpointId: string, options: { limit: number; cursor?: string }): Promise<Page<Delivery>> {
    const name = keys.deliveriesOfEndpoint(endpointId);
    const page = await readNewestFirst(this.client, this.tableName, { index: 'gsi1', name, partitions: listPartitions(name) }, options);
    const items = page.items.filter((i) => this.live(i)).map((i) => Delivery.parse(stripKeys(i)));
    return { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  async restartDelivery(delivery: Delivery, at: string): Promise<Delivery | undefined> {
    const next: Delivery = { ...delivery, status: 'pending', redeliveries: delivery.redeliveries + 1, updatedAt: at };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.delivery(delivery.deliveryId),
          UpdateExpression: 'SET #status = :pending, redeliveries = :next, updatedAt = :at',
          ConditionExpression: '#status <> :pending AND (attribute_not_exists(redeliveries) OR redeliveries = :current)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ':next': next.redeliveries, ':current': delivery.redeliveries, ':at': at },
        }),
      );
      return next;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async replaceEndpoint(previous: WebhookEndpoint, next: WebhookEndpoint): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.endpoint(next.tenantId, next.endpointId), entity: 'endpoint', ...next },
          ConditionExpression: 'secret = :secret',
          ExpressionAttributeValues: { ':secret': previous.secret },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private retentionDays(): number {
    return this.options.retentionDays ?? EVENT_RETENTION.defaultDays;
  }

  /** False once an item's retention has passed (`expiresAt`, epoch seconds), though TTL may not have deleted it yet. */
  private live(item: Record<string, unknown>): boolean {
    const now = (this.options.clock ?? systemClock).now().getTime() / 1000;
    return typeof item.expiresAt !== 'number' || item.expiresAt > now;
  }
}
