import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { Delivery, DeliveryAttempt, OutboxEvent, WebhookEndpoint } from '../../domain/records.ts';
import type { Page } from '../../ports/application-repository.ts';
import type { WebhookRepository } from '../../ports/webhook-repository.ts';
import { isConditionFailure } from './client.ts';
import { queryNewestFirst } from './cursor.ts';
import { expiresAfterDays, keys, stripKeys } from './keys.ts';

/** Delivery records and their log are kept for 30 days, like the events they deliver. */
const DELIVERY_TTL_DAYS = 30;

export class DynamoWebhookRepository implements WebhookRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
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
    return out.Item ? OutboxEvent.parse(stripKeys(out.Item)) : undefined;
  }

  async createDelivery(delivery: Delivery): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.delivery(delivery.deliveryId),
            entity: 'delivery',
            gsi1pk: keys.deliveriesOfEndpoint(delivery.endpointId),
            gsi1sk: `${delivery.createdAt}#${delivery.deliveryId}`,
            ...delivery,
            expiresAt: expiresAfterDays(new Date(delivery.createdAt), DELIVERY_TTL_DAYS),
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
    return out.Item ? Delivery.parse(stripKeys(out.Item)) : undefined;
  }

  async recordAttempt(delivery: Delivery, attempt: DeliveryAttempt, status: Delivery['status']): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: {
                ...keys.attempt(delivery.deliveryId, attempt.attempt),
                entity: 'delivery_attempt',
                deliveryId: delivery.deliveryId,
                ...attempt,
                expiresAt: expiresAfterDays(new Date(attempt.at), DELIVERY_TTL_DAYS),
              },
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: keys.delivery(delivery.deliveryId),
              UpdateExpression: 'SET #status = :status, attempts = :attempts, updatedAt = :at',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':status': status, ':attempts': attempt.attempt, ':at': attempt.at },
            },
          },
        ],
      }),
    );
  }

  async setDeliveryStatus(deliveryId: string, status: Delivery['status'], at: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.delivery(deliveryId),
        UpdateExpression: 'SET #status = :status, updatedAt = :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':at': at },
      }),
    );
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
    return (out.Items ?? []).map((i) => DeliveryAttempt.parse(stripKeys(i)));
  }

  async listDeliveries(endpointId: string, options: { limit: number; cursor?: string }): Promise<Page<Delivery>> {
    const partition = { attribute: 'gsi1pk', value: keys.deliveriesOfEndpoint(endpointId) };
    const page = await queryNewestFirst(this.client, this.tableName, 'gsi1', partition, options);
    return { items: page.items.map((i) => Delivery.parse(stripKeys(i))), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
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
}
