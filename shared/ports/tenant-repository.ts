import type { Principal, Scope } from '../domain/records.ts';

export interface Tenant {
  tenantId: string;
  name: string;
  createdAt: string;
}

/** An API key as stored: only its SHA-256 hash, never the key. */
export interface StoredApiKey {
  keyHash: string;
  keyId: string;
  tenantId: string;
  scopes: Scope[];
  createdAt: string;
}

/** Tenants (agencies) and their API keys. Keys are stored only as SHA-256 hashes. */
export interface TenantRepository {
  /**
   * Writes a tenant and its keys together (one transaction: a tenant is never left without its keys). Writing the same
   * tenant and keys again is harmless (the local runtime's demo tenant on every start).
   */
  putTenantWithKeys(tenant: Tenant, keys: StoredApiKey[]): Promise<void>;
  getTenant(tenantId: string): Promise<Tenant | undefined>;
  findByKeyHash(keyHash: string): Promise<Principal | undefined>;
}
