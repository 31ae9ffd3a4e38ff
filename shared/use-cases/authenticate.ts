import { createHash, randomBytes } from 'node:crypto';
import { UnauthorizedError } from '../domain/errors.ts';
import type { Principal, Scope } from '../domain/records.ts';
import type { Deps } from '../ports/deps.ts';

/** API keys: `icp_<scope>_<43 chars of base64url>`, 256 bits of randomness, so a fast hash (SHA-256) is enough. */
export function generateApiKey(scope: Scope): string {
  return `icp_${scope}_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Principals already looked up by this process, for a short time: a cache only, never the source of truth. */
const cache = new Map<string, { principal: Principal | undefined; until: number }>();
/**
 * How long a looked-up key is trusted, counted from the lookup, never renewed by use: a revoked key stops working
 * within this time however often its holder calls (README says 30 s).
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
 * Authenticates a request by its `Authorization: Bearer <key>` header.
 * @throws UnauthorizedError (401) when the header is missing, malformed or names no key.
 */
export async function authenticate(deps: Pick<Deps, 'tenants' | 'clock'>, authorization: string | undefined): Promise<Principal> {
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
  let principal: Principal | undefined;
  if (hit && hit.until > now) {
    principal = hit.principal;
  } else {
    principal = await deps.tenants.findByKeyHash(hash);
    if (cache.size >= CACHE_MAX_ENTRIES) cache.clear();
    cache.set(hash, { principal, until: now + (principal ? KEY_CACHE_MS : UNKNOWN_KEY_CACHE_MS) });
  }
  if (!principal) {
    throw new UnauthorizedError('The API key is not known.', {
      errors: [{ path: '(headers).authorization', code: 'unknown_api_key', message: 'Check the key; ask your administrator for a new one if it was revoked.' }],
    });
  }
  return principal;
}

/**
 * Creates a tenant (agency) with one key per scope and returns the keys in clear — the only time they are visible.
 * Given keys are stored as they are (the local runtime's LOCAL_API_KEY / LOCAL_OPERATOR_KEY).
 */
export async function createTenant(
  deps: Pick<Deps, 'tenants' | 'clock' | 'ids'>,
  input: { name: string; tenantId?: string; agencyKey?: string; operatorKey?: string },
): Promise<{ tenantId: string; agencyKey: string; operatorKey: string }> {
  const tenantId = input.tenantId ?? deps.ids.next('tnt');
  const createdAt = deps.clock.now().toISOString();
  const agencyKey = input.agencyKey ?? generateApiKey('agency');
  const operatorKey = input.operatorKey ?? generateApiKey('operator');
  await deps.tenants.putTenantWithKeys({ tenantId, name: input.name, createdAt }, [
    { keyHash: hashApiKey(agencyKey), keyId: deps.ids.next('key'), tenantId, scopes: ['agency'], createdAt },
    { keyHash: hashApiKey(operatorKey), keyId: deps.ids.next('key'), tenantId, scopes: ['operator'], createdAt },
  ]);
  return { tenantId, agencyKey, operatorKey };
}
