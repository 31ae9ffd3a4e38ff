import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { Principal } from '../../domain/records.ts';
import type { StoredApiKey, Tenant, TenantRepository } from '../../ports/tenant-repository.ts';
import { keys, stripKeys } from './keys.ts';

export class DynamoTenantRepository implements TenantRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putTenantWithKeys(tenant: Tenant, apiKeys: StoredApiKey[]): Promise<void> {
    const put = (Item: Record<string, unknown>) => ({ Put: { TableName: this.tableName, Item } });
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          put({ ...keys.tenant(tenant.tenantId), entity: 'tenant', ...tenant }),
          ...apiKeys.map((key) => put({ ...keys.apiKey(key.keyHash), entity: 'api_key', ...key })),
        ],
      }),
    );
  }

  async getTenant(tenantId: string): Promise<Tenant | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.tenant(tenantId) }));
    return out.Item ? (stripKeys(out.Item) as Tenant) : undefined;
  }

  async findByKeyHash(keyHash: string): Promise<Principal | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.apiKey(keyHash) }));
    if (!out.Item) return undefined;
    return Principal.parse({ tenantId: out.Item.tenantId, keyId: out.Item.keyId, scopes: out.Item.scopes });
  }
}
