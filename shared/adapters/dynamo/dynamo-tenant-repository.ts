import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Principal } from '../../domain/records.ts';
import type { Tenant, TenantRepository } from '../../ports/tenant-repository.ts';
import { keys, stripKeys } from './keys.ts';

export class DynamoTenantRepository implements TenantRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putTenant(tenant: Tenant): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...keys.tenant(tenant.tenantId), entity: 'tenant', ...tenant } }),
    );
  }

  async getTenant(tenantId: string): Promise<Tenant | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.tenant(tenantId) }));
    return out.Item ? (stripKeys(out.Item) as Tenant) : undefined;
  }

  async putApiKey(input: Parameters<TenantRepository['putApiKey']>[0]): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...keys.apiKey(input.keyHash), entity: 'api_key', ...input } }),
    );
  }

  async findByKeyHash(keyHash: string): Promise<Principal | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.apiKey(keyHash) }));
    if (!out.Item) return undefined;
    return Principal.parse({ tenantId: out.Item.tenantId, keyId: out.Item.keyId, scopes: out.Item.scopes });
  }
}
