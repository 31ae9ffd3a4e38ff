import type { ApiKey } from '../domain/api-key.ts';

export interface Tenant {
  tenantId: string;
  name: string;
  createdAt: string;
}

/** An API key as stored: its record and the SHA-256 hash of the key, never the key. */
export interface StoredApiKey extends ApiKey {
  keyHash: string;
}

/** What a request with an `Idempotency-Key` that created or rotated a key left behind (kept a day). */
export interface KeyRequestRecord {
  /** SHA-256 of what was asked (`canonicalJson` of the operation, the key it named and the body). */
  requestHash: string;
  /** The key that request made. */
  keyId: string;
}

/** Tenants (agencies) and their API keys. Keys are stored only as SHA-256 hashes. */
export interface TenantRepository {
  /**
   * Writes a tenant and its new keys together (one transaction: a tenant is never left without its keys). Writing the
   * same tenant again is harmless (the local runtime's demo tenant on every start); its keys must be new.
   * @throws ConflictError when a key's hash is already stored.
   */
  putTenantWithKeys(tenant: Tenant, keys: StoredApiKey[]): Promise<void>;
  getTenant(tenantId: string): Promise<Tenant | undefined>;
  /** The key with this hash, whatever its state (authentication decides what a revoked or expired key gets). */
  findByKeyHash(keyHash: string): Promise<StoredApiKey | undefined>;
  /** Every key of the tenant (revoked and expired ones until their history ends), with `lastUsedAt`. */
  listKeys(tenantId: string): Promise<StoredApiKey[]>;
  /** One key of the tenant, with `lastUsedAt`; undefined for another tenant's key. */
  getKey(tenantId: string, keyId: string): Promise<StoredApiKey | undefined>;
  /**
   * Stores a new key of an existing tenant, with the request record of its `Idempotency-Key` when given, all or nothing.
   * @throws ConflictError when the request record was written meanwhile (a concurrent request with the same key).
   */
  createKey(key: StoredApiKey, request?: { idempotencyKey: string; record: KeyRequestRecord }): Promise<void>;
  /**
   * Marks `key` revoked at `at`, provided it was not revoked meanwhile, and provided each key of `keep` still works
   * without an end (neither revoked nor expiring): the check that a tenant keeps a key of each scope, made in the same
   * transaction so that two revocations at once cannot both pass it.
   * @throws ConflictError when a condition failed (the caller reads the keys again to say which).
   */
  revokeKey(key: StoredApiKey, at: string, keep: StoredApiKey[]): Promise<void>;
  /**
   * Stores `next` and makes `previous` expire at `expiresAt`, provided `previous` is still neither revoked nor
   * expiring, with the request record of its `Idempotency-Key` when given: one transaction.
   * @throws ConflictError when `previous` changed meanwhile or the request record was written meanwhile.
   */
  rotateKey(input: {
    previous: StoredApiKey;
    expiresAt: string;
    next: StoredApiKey;
    request?: { idempotencyKey: string; record: KeyRequestRecord };
  }): Promise<void>;
  findKeyRequest(tenantId: string, idempotencyKey: string): Promise<KeyRequestRecord | undefined>;
  /**
   * Records that the key was used at `at`, unless a use at or after `notBefore` is recorded already (a conditional
   * write, so that instances racing each other write it once). True when it was written.
   */
  recordKeyUse(input: { tenantId: string; keyId: string; at: string; notBefore: string }): Promise<boolean>;
}
