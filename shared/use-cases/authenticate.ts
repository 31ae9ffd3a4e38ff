import { createHash, randomBytes } from 'node:crypto';
import { keyPrefix, keyWorks } from '../domain/api-key.ts';
import { UnauthorizedError } from '../domain/errors.ts';
import type { Principal, Scope } from '../domain/records.ts';
import { log } from '../log.ts';
import type { Deps, Settings } from '../ports/deps.ts';
import type { StoredApiKey } from '../ports/tenant-repository.ts';

/** API keys: `icp_<scope>_<43 chars of base64url>`, 256 bits of randomness, so a fast hash (SHA-256) is enough. */
export function generateApiKey(scope: Scope): string {
  return `icp_${scope}_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Keys already looked up by this process, for a short time: a cache only, never the source of truth. */
const cache = new Map<string, { key: StoredApiKey | undefined; until: number }>();
/**
 * How long a looked-up key is trusted, counted from the lookup, never renewed by use: a revoked key stops working
 * within this time however often its holder calls (README says 30 s). `API_KEY_CACHE_SECONDS` changes it.
 */
export const KEY_CACHE_MS = 30_000;
/**
 * Unknown keys are remembered much shorter: enough that a client retrying a bad key in a loop does not hammer the
 * table, short enough that a key tried a moment before it was created works a moment later.
 */
export const UNKNOWN_KEY_CACHE_MS = 2_000;
/** Unknown keys are cached too, so the cache is bounded. */
const CACHE_MAX_ENTRIES = 10_000;

/**
 * Authenticates a request by its `Authorization: Bearer <key>` header. A key's expiry (a rotation's overlap) is checked
 * at every request against the business clock, so it ends on time even for a key the cache holds; a revocation is seen
 * at the next lookup, within the cache's time.
 * @throws UnauthorizedError (401) when the header is missing or malformed, or names no key, a revoked one or an expired
 * one (all answered alike: a refused key tells nothing about itself).
 */
export async function authenticate(
  deps: Pick<Deps, 'tenants' | 'clock'> & { settings?: Pick<Settings, 'apiKeyCacheSeconds'> },
  authorization: string | undefined,
): Promise<Principal> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) {
    throw new UnauthorizedError('Send your API key as "Authorization: Bearer <key>".', {
      errors: [{ path: '(headers).authorization', code: 'missing_api_key', message: 'Add the header Authorization: Bearer <your API key>.' }],
    });
  }
  const hash = hashApiKey(match[1] as string);
  // Real time: the cache's age is the machine's, whatever day the business clock says it is.
  const now = deps.clock.wallNow().getTime();
  const hit = cache.get(hash);
  let key: StoredApiKey | undefined;
  if (hit && hit.until > now) {
    key = hit.key;
  } else {
    key = await deps.tenants.findByKeyHash(hash);
    if (cache.size >= CACHE_MAX_ENTRIES) cache.clear();
    const trusted = deps.settings?.apiKeyCacheSeconds === undefined ? KEY_CACHE_MS : deps.settings.apiKeyCacheSeconds * 1000;
    cache.set(hash, { key, until: now + (key ? trusted : Math.min(trusted, UNKNOWN_KEY_CACHE_MS)) });
  }
  if (!key || !keyWorks(key, deps.clock.now())) {
    throw new UnauthorizedError('The API key is not known.', {
      errors: [{ path: '(headers).authorization', code: 'unknown_api_key', message: 'Check the key; ask your administrator for a new one if it was revoked.' }],
    });
  }
  return { tenantId: key.tenantId, keyId: key.keyId, scopes: key.scopes };
}

/** How precise a key's `lastUsedAt` is: it is written at most once an hour. */
export const KEY_USE_PRECISION_MS = 3_600_000;
/** When this process last recorded (or tried to record) each key's use, by key id: the business clock's ms. */
const recordedUses = new Map<string, number>();

/**
 * Records that `principal`'s key served a request that succeeded (`lastUsedAt`), at most once an hour per key: each
 * process tries once an hour per key it serves, with a write conditional on the stored use being over an hour old, so
 * that of all the instances serving a key one write a hour succeeds. A failure is logged and otherwise ignored: the
 * request it follows has succeeded.
 */
export async function recordKeyUse(deps: Pick<Deps, 'tenants' | 'clock'>, principal: Principal): Promise<void> {
  const now = deps.clock.now().getTime();
  const last = recordedUses.get(principal.keyId);
  if (last !== undefined && now - last < KEY_USE_PRECISION_MS && now >= last) return;
  if (recordedUses.size >= CACHE_MAX_ENTRIES) recordedUses.clear();
  recordedUses.set(principal.keyId, now);
  try {
    await deps.tenants.recordKeyUse({
      tenantId: principal.tenantId,
      keyId: principal.keyId,
      at: new Date(now).toISOString(),
      notBefore: new Date(now - KEY_USE_PRECISION_MS).toISOString(),
    });
  } catch (error) {
    log.warn('could not record the use of an API key', { keyId: principal.keyId, error });
  }
}

/**
 * Creates a tenant (agency) with one key per scope and returns the keys in clear — the only time they are visible.
 * Given keys are stored as they are (the local runtime's LOCAL_API_KEY / LOCAL_OPERATOR_KEY); a given key this tenant
 * has already (the demo tenant's, at every start of the local runtime) is left as it is, its id and any revocation
 * with it.
 * @throws ConflictError when a given key belongs to another tenant.
 */
export async function createTenant(
  deps: Pick<Deps, 'tenants' | 'clock' | 'ids'>,
  input: { name: string; tenantId?: string; agencyKey?: string; operatorKey?: string },
): Promise<{ tenantId: string; agencyKey: string; operatorKey: string }> {
  const tenantId = input.tenantId ?? deps.ids.next('tnt');
  const createdAt = deps.clock.now().toISOString();
  const agencyKey = input.agencyKey ?? generateApiKey('agency');
  const operatorKey = input.operatorKey ?? generateApiKey('operator');
  const fresh: StoredApiKey[] = [];
  for (const [key, scope, given] of [
    [agencyKey, 'agency', input.agencyKey !== undefined],
    [operatorKey, 'operator', input.operatorKey !== undefined],
  ] as const) {
    const keyHash = hashApiKey(key);
    if (given && (await deps.tenants.findByKeyHash(keyHash))?.tenantId === tenantId) continue;
    fresh.push({ keyHash, keyId: deps.ids.next('key'), tenantId, scopes: [scope], prefix: keyPrefix(key), createdAt });
  }
  await deps.tenants.putTenantWithKeys({ tenantId, name: input.name, createdAt }, fresh);
  return { tenantId, agencyKey, operatorKey };
}
