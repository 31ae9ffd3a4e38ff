import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ApiKey } from '../../domain/api-key.ts';
import { ConflictError, TransientError } from '../../domain/errors.ts';
import type { KeyRequestRecord, StoredApiKey, Tenant, TenantRepository } from '../../ports/tenant-repository.ts';
import { cancellationReasons, isConditionFailure, isRetryableDynamoError } from './client.ts';
import { DAY_SECONDS, expiresAfterDays, keys, stripKeys } from './keys.ts';
import { getItems } from './list-index.ts';

/** How long a revoked or expired key stays listed (its items then go by the table's TTL, within a few days). */
export const KEY_HISTORY_DAYS = 90;
/** How long the record of a create or rotate request with an `Idempotency-Key` is kept. */
const KEY_REQUEST_TTL_DAYS = 1;

type Write = Record<string, unknown>;

/**
 * `TenantRepository` on the records table (layout in `keys.ts`).
 *
 * A key is three items: the key item under the key's hash (what authentication reads, one GetItem: its tenant, scopes
 * and state), its place in the tenant's partition (what a list or a lookup by id reads, strongly consistent, written
 * with the key and never changed) and, apart, its `lastUsedAt` (which every API function may write, and so nothing
 * else). The key's own expiry is `validUntil` on the item: the table's `expiresAt` is its TTL, set on all three once
 * the key is revoked or expiring, {@link KEY_HISTORY_DAYS} after.
 */
export class DynamoTenantRepository implements TenantRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putTenantWithKeys(tenant: Tenant, apiKeys: StoredApiKey[]): Promise<void> {
    await this.transact(
      [{ Put: { TableName: this.tableName, Item: { ...keys.tenant(tenant.tenantId), entity: 'tenant', ...tenant } } }, ...apiKeys.flatMap((key) => this.newKey(key))],
      'A key with the same hash is stored already.',
    );
  }

  async getTenant(tenantId: string): Promise<Tenant | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.tenant(tenantId) }));
    return out.Item ? (stripKeys(out.Item) as Tenant) : undefined;
  }

  async findByKeyHash(keyHash: string): Promise<StoredApiKey | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.apiKey(keyHash) }));
    return out.Item ? storedKey(out.Item) : undefined;
  }

  async listKeys(tenantId: string): Promise<StoredApiKey[]> {
    const refs: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.tenant(tenantId).pk, ':prefix': keys.tenantApiKeyPrefix },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      refs.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return this.keysOf(tenantId, refs);
  }

  async getKey(tenantId: string, keyId: string): Promise<StoredApiKey | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.tenantApiKey(tenantId, keyId), ConsistentRead: true }),
    );
    return out.Item ? (await this.keysOf(tenantId, [out.Item]))[0] : undefined;
  }

  async createKey(key: StoredApiKey, request?: { idempotencyKey: string; record: KeyRequestRecord }): Promise<void> {
    await this.transact(
      [...this.newKey(key), ...(request ? [this.requestRecord(key.tenantId, key.createdAt, request)] : [])],
      'The key or its Idempotency-Key was stored by a concurrent request.',
    );
  }

  async revokeKey(key: StoredApiKey, at: string, keep: StoredApiKey[]): Promise<void> {
    const history = expiresAfterDays(new Date(at), KEY_HISTORY_DAYS);
    await this.transact(
      [
        {
          Update: {
            TableName: this.tableName,
            Key: keys.apiKey(key.keyHash),
            UpdateExpression: 'SET revokedAt = :at, expiresAt = :history',
            ConditionExpression: 'tenantId = :tenant AND attribute_not_exists(revokedAt)',
            ExpressionAttributeValues: { ':at': at, ':history': history, ':tenant': key.tenantId },
          },
        },
        ...this.endHistory(key, history),
        ...keep.map((other) => ({
          ConditionCheck: {
            TableName: this.tableName,
            Key: keys.apiKey(other.keyHash),
            ConditionExpression: 'tenantId = :tenant AND attribute_not_exists(revokedAt) AND attribute_not_exists(validUntil)',
            ExpressionAttributeValues: { ':tenant': key.tenantId },
          },
        })),
      ],
      'The key, or the one kept beside it, changed meanwhile.',
    );
  }

  async rotateKey(input: Parameters<TenantRepository['rotateKey']>[0]): Promise<void> {
    const { previous, expiresAt, next, request } = input;
    const history = Math.floor(Date.parse(expiresAt) / 1000) + KEY_HISTORY_DAYS * DAY_SECONDS;
    await this.transact(
      [
        ...this.newKey(next),
        {
          Update: {
            TableName: this.tableName,
            Key: keys.apiKey(previous.keyHash),
            UpdateExpression: 'SET validUntil = :until, expiresAt = :history',
            ConditionExpression: 'tenantId = :tenant AND attribute_not_exists(revokedAt) AND attribute_not_exists(validUntil)',
            ExpressionAttributeValues: { ':until': expiresAt, ':history': history, ':tenant': previous.tenantId },
          },
        },
        ...this.endHistory(previous, history),
        ...(request ? [this.requestRecord(next.tenantId, next.createdAt, request)] : []),
      ],
      'The key was revoked or rotated by a concurrent request.',
    );
  }

  async findKeyRequest(tenantId: string, idempotencyKey: string): Promise<KeyRequestRecord | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.keyRequest(tenantId, idempotencyKey), ConsistentRead: true }),
    );
    return out.Item ? { requestHash: String(out.Item.requestHash), keyId: String(out.Item.keyId) } : undefined;
  }

  async recordKeyUse(input: { tenantId: string; keyId: string; at: string; notBefore: string }): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.keyUse(input.keyId),
          UpdateExpression: 'SET lastUsedAt = :at, entity = :entity, tenantId = :tenant, keyId = :key',
          ConditionExpression: 'attribute_not_exists(lastUsedAt) OR lastUsedAt < :notBefore',
          ExpressionAttributeValues: { ':at': input.at, ':entity': 'api_key_use', ':tenant': input.tenantId, ':key': input.keyId, ':notBefore': input.notBefore },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The key item (only where no key has its hash) and its place in the tenant's list. */
  private newKey(key: StoredApiKey): Write[] {
    const { expiresAt, lastUsedAt: _lastUsed, ...rest } = key;
    return [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.apiKey(key.keyHash), entity: 'api_key', ...rest, ...(expiresAt ? { validUntil: expiresAt } : {}) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.tenantApiKey(key.tenantId, key.keyId), entity: 'api_key_ref', tenantId: key.tenantId, keyId: key.keyId, keyHash: key.keyHash },
        },
      },
    ];
  }

  /** The TTL of a key's list entry and use record, with its own (their history ends together). */
  private endHistory(key: StoredApiKey, history: number): Write[] {
    return [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.tenantApiKey(key.tenantId, key.keyId),
          UpdateExpression: 'SET expiresAt = :history',
          ExpressionAttributeValues: { ':history': history },
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: keys.keyUse(key.keyId),
          UpdateExpression: 'SET expiresAt = :history, entity = :entity, tenantId = :tenant, keyId = :key',
          ExpressionAttributeValues: { ':history': history, ':entity': 'api_key_use', ':tenant': key.tenantId, ':key': key.keyId },
        },
      },
    ];
  }

  private requestRecord(tenantId: string, at: string, request: { idempotencyKey: string; record: KeyRequestRecord }): Write {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.keyRequest(tenantId, request.idempotencyKey),
          entity: 'api_key_request',
          tenantId,
          ...request.record,
          expiresAt: expiresAfterDays(new Date(at), KEY_REQUEST_TTL_DAYS),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /** The keys of a tenant's list entries, with their use records, in the entries' order. */
  private async keysOf(tenantId: string, refs: Record<string, unknown>[]): Promise<StoredApiKey[]> {
    const wanted = refs.map((ref) => ({ keyHash: String(ref.keyHash), keyId: String(ref.keyId) }));
    const items = await getItems(
      this.client,
      this.tableName,
      wanted.flatMap((ref) => [keys.apiKey(ref.keyHash), keys.keyUse(ref.keyId)]),
      { consistent: true },
    );
    const byPk = new Map(items.map((item) => [String(item.pk), item]));
    return wanted.flatMap((ref) => {
      const item = byPk.get(keys.apiKey(ref.keyHash).pk);
      // A key of another tenant under this tenant's entry cannot be written; checked all the same, as every read is.
      if (!item || item.tenantId !== tenantId) return [];
      const lastUsedAt = byPk.get(keys.keyUse(ref.keyId).pk)?.lastUsedAt;
      return [storedKey({ ...item, ...(typeof lastUsedAt === 'string' ? { lastUsedAt } : {}) })];
    });
  }

  private async transact(items: Write[], conflict: string): Promise<void> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      // A condition that failed, or another transaction on the same items at the same moment: the caller reads again.
      const reasons = cancellationReasons(error);
      if (reasons.includes('ConditionalCheckFailed') || reasons.includes('TransactionConflict')) throw new ConflictError(conflict, { cause: error });
      if (isRetryableDynamoError(error)) throw new TransientError('The keys are busy; retry the request.', { cause: error });
      throw error;
    }
  }
}

/** A key item read back: its record (the item's `validUntil` is the key's `expiresAt`) and its hash. */
function storedKey(item: Record<string, unknown>): StoredApiKey {
  const { keyHash, validUntil, ...rest } = stripKeys(item);
  return { ...ApiKey.parse({ ...rest, ...(validUntil === undefined ? {} : { expiresAt: validUntil }) }), keyHash: String(keyHash) };
}
