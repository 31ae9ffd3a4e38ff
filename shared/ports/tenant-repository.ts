import type { Principal, Scope } from '../domain/records.ts';

export interface Tenant {
  tenantId: string;
  name: string;
  createdAt: string;
}

/** Tenants (agencies) and their API keys. Keys are stored only as SHA-256 hashes. */
export interface TenantRepository {
  putTenant(tenant: Tenant): Promise<void>;
  getTenant(tenantId: string): Promise<Tenant | undefined>;
  /** Stores a key's hash; idempotent for the same hash. */
  putApiKey(input: { keyHash: string; keyId: string; tenantId: string; scopes: Scope[]; createdAt: string }): Promise<void>;
  findByKeyHash(keyHash: string): Promise<Principal | undefined>;
}
