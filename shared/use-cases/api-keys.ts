import { createHash } from 'node:crypto';
import {
  type ApiKeyInput,
  type ApiKeyView,
  apiKeyView,
  keyPrefix,
  keyStatus,
  type RotationInput,
} from '../domain/api-key.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors.ts';
import type { Principal, Scope } from '../domain/records.ts';
import type { Deps } from '../ports/deps.ts';
import type { KeyRequestRecord, StoredApiKey } from '../ports/tenant-repository.ts';
import { generateApiKey, hashApiKey } from './authenticate.ts';
import { canonicalJson } from './create-application.ts';

/**
 * Who manages a tenant's keys: the tenant itself through the API, with one of its agency keys, over its own agency keys
 * only (its operator keys are not even shown: they belong to whoever records the authority's decisions); or the
 * administrator (`npm run admin -- keys …`), over every key of any tenant, who may also revoke a tenant's last key.
 */
export type KeyManager = { by: 'tenant'; principal: Principal } | { by: 'admin'; tenantId: string; allowLastKey?: boolean };

/** The most keys a tenant may have working at once (active or in a rotation's overlap): a list, not a pool. */
export const MAX_WORKING_KEYS = 20;

type KeyDeps = Pick<Deps, 'tenants' | 'clock' | 'ids'>;

export interface IssuedKey {
  view: ApiKeyView;
  /** The key in clear: only in the answer of the request that made it (a replay has none: it is not stored). */
  key?: string;
  /** False for a replay (same `Idempotency-Key` and body). */
  created: boolean;
}

/** The keys a manager sees, newest first (revoked and expired ones too, until their history ends). */
export async function listApiKeys(deps: Pick<Deps, 'tenants' | 'clock'>, manager: KeyManager): Promise<ApiKeyView[]> {
  const now = deps.clock.now();
  const keys = (await deps.tenants.listKeys(tenantOf(manager))).filter((key) => manages(manager, key));
  return keys.sort(newestFirst).map((key) => apiKeyView(key, now));
}

/**
 * Creates a key.
 *
 * Primary course:
 * 1. With an `Idempotency-Key` this tenant used on a key request: the same request → the key it made, without the key
 *    itself (it is not stored); another request → 409.
 * 2. The API makes agency keys only (403 for `scope: operator`); the administrator either, for a tenant that exists.
 * 3. At most {@link MAX_WORKING_KEYS} working keys per tenant (409 `too_many_keys`).
 * 4. Generate the key, store its hash, its prefix and its name (and the request record), and answer it this once.
 */
export async function createApiKey(
  deps: KeyDeps,
  manager: KeyManager,
  input: ApiKeyInput,
  options: { idempotencyKey?: string } = {},
): Promise<IssuedKey> {
  const tenantId = tenantOf(manager);
  const requestHash = hashRequest({ operation: 'create', ...input });
  const replayed = await replay(deps, tenantId, options.idempotencyKey, requestHash);
  if (replayed) return replayed;
  if (manager.by === 'tenant' && input.scope !== 'agency') {
    throw new ForbiddenError('An agency key creates agency keys only.', {
      errors: [
        {
          path: 'scope',
          code: 'scope_not_allowed',
          message: 'Leave scope out (or "agency"); operator keys are made by the administrator: npm run admin -- keys create --scope operator.',
        },
      ],
    });
  }
  if (manager.by === 'admin' && !(await deps.tenants.getTenant(tenantId))) throw new NotFoundError(`No tenant ${tenantId}.`);
  await assertRoomForAKey(deps, tenantId);
  const key = generateApiKey(input.scope);
  const stored = newKey(deps, deps.clock.now(), tenantId, key, [input.scope], input.name === undefined ? {} : { name: input.name });
  try {
    await deps.tenants.createKey(stored, requestOf(options.idempotencyKey, requestHash, stored.keyId));
  } catch (error) {
    const raced = error instanceof ConflictError ? await replay(deps, tenantId, options.idempotencyKey, requestHash) : undefined;
    if (raced) return raced;
    throw error;
  }
  return { view: apiKeyView(stored, deps.clock.now()), key, created: true };
}

export interface RevokedKey {
  view: ApiKeyView;
  /** False when the key was revoked already (a revocation is harmless to repeat and changes nothing then). */
  changed: boolean;
  /** The request was made with the key it revoked: its next requests fail once the key cache lets go of it. */
  ownKey: boolean;
}

/**
 * Revokes a key: refused (401, like an unknown key) from the next lookup on, within the key cache's time (30 s).
 *
 * Primary course:
 * 1. Find the key among the manager's (404 for another tenant's, or through the API for an operator key).
 * 2. Revoked already: answer it as it is.
 * 3. A key that works without an end may be revoked only while the tenant keeps another such key of its scope (409
 *    `last_key` otherwise, with what to do instead), so that a tenant never locks itself out by mistake; the
 *    administrator may override it (`--force`). The other key is checked in the same transaction as the revocation.
 * 4. Mark it revoked; its history (list entry) is kept 90 days.
 */
export async function revokeApiKey(deps: Pick<Deps, 'tenants' | 'clock'>, manager: KeyManager, keyId: string): Promise<RevokedKey> {
  const tenantId = tenantOf(manager);
  const ownKey = manager.by === 'tenant' && manager.principal.keyId === keyId;
  for (let attempt = 0; ; attempt++) {
    const now = deps.clock.now();
    const key = await findManagedKey(deps, manager, keyId);
    if (key.revokedAt) return { view: apiKeyView(key, now), changed: false, ownKey };
    const keep = keyStatus(key, now) === 'active' && !(manager.by === 'admin' && manager.allowLastKey) ? await keptBeside(deps, key) : [];
    const at = now.toISOString();
    try {
      await deps.tenants.revokeKey(key, at, keep);
      return { view: apiKeyView({ ...key, revokedAt: at }, now), changed: true, ownKey };
    } catch (error) {
      // The key or the one kept beside it changed meanwhile: read them again (twice at most) and decide anew.
      if (!(error instanceof ConflictError) || attempt >= 2) throw error;
    }
  }
}

export interface RotatedKey extends IssuedKey {
  /** The key it replaces, with the `expiresAt` the overlap gave it. */
  previous: ApiKeyView;
}

/**
 * Rotates a key: a new key with the same scopes and name, and the old one working for `overlapSeconds` more (default a
 * day, 0 to 30 days), so that clients can switch without a gap.
 *
 * Primary course:
 * 1. With an `Idempotency-Key` this tenant used on a key request: the same request → the key it made (without the key
 *    itself) and the previous one; another request → 409.
 * 2. Find the key among the manager's (404 otherwise); it must work without an end: a revoked or expired key is not
 *    rotated (409 `not_active`: create a new one), nor one already being replaced (409 `rotating`: rotate its
 *    successor, `rotatedFrom` names it).
 * 3. At most {@link MAX_WORKING_KEYS} working keys per tenant, the new one included (409 `too_many_keys`).
 * 4. In one transaction: store the new key (`rotatedFrom` the old) and set the old one's `expiresAt` to now plus the
 *    overlap, provided nobody revoked or rotated it meanwhile (409 otherwise).
 */
export async function rotateApiKey(
  deps: KeyDeps,
  manager: KeyManager,
  keyId: string,
  input: RotationInput,
  options: { idempotencyKey?: string } = {},
): Promise<RotatedKey> {
  const tenantId = tenantOf(manager);
  const requestHash = hashRequest({ operation: 'rotate', keyId, ...input });
  const replayed = await replay(deps, tenantId, options.idempotencyKey, requestHash);
  if (replayed) return { ...replayed, previous: apiKeyView(await findManagedKey(deps, manager, keyId), deps.clock.now()) };
  const now = deps.clock.now();
  const previous = await findManagedKey(deps, manager, keyId);
  assertRotatable(previous, now);
  await assertRoomForAKey(deps, tenantId);
  const expiresAt = new Date(now.getTime() + input.overlapSeconds * 1000).toISOString();
  const key = generateApiKey(previous.scopes[0] as Scope);
  // Made at the instant the overlap counts from.
  const next = newKey(deps, now, tenantId, key, previous.scopes, { ...(previous.name ? { name: previous.name } : {}), rotatedFrom: previous.keyId });
  try {
    await deps.tenants.rotateKey({ previous, expiresAt, next, request: requestOf(options.idempotencyKey, requestHash, next.keyId) });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const raced = await replay(deps, tenantId, options.idempotencyKey, requestHash);
    if (raced) return { ...raced, previous: apiKeyView(await findManagedKey(deps, manager, keyId), deps.clock.now()) };
    // Revoked or rotated meanwhile: say which.
    assertRotatable(await findManagedKey(deps, manager, keyId), deps.clock.now());
    throw error;
  }
  return { view: apiKeyView(next, now), key, created: true, previous: apiKeyView({ ...previous, expiresAt }, now) };
}

/** The answer to a create: the key's view and, the one time it is known, the key. */
export function issuedKeyBody(issued: IssuedKey) {
  return { ...issued.view, ...(issued.key ? { key: issued.key } : {}) };
}

/** The answer to a rotation: the new key (and, the one time it is known, the key) with the one it replaces. */
export function rotatedKeyBody(rotated: RotatedKey) {
  return { ...issuedKeyBody(rotated), previous: rotated.previous };
}

/** The answer to a revocation; one made with the key it revoked says so, and when the key stops working. */
export function revokedKeyBody(revoked: RevokedKey, cacheSeconds: number) {
  const warning = {
    code: 'own_key_revoked' as const,
    message: `This request was made with the key it revoked: the key stops working within ${cacheSeconds} s.`,
  };
  return { ...revoked.view, ...(revoked.ownKey ? { warnings: [warning] } : {}) };
}

function tenantOf(manager: KeyManager): string {
  return manager.by === 'tenant' ? manager.principal.tenantId : manager.tenantId;
}

/** Through the API a tenant manages its agency keys only; the administrator every key. */
function manages(manager: KeyManager, key: StoredApiKey): boolean {
  return manager.by === 'admin' || key.scopes.includes('agency');
}

async function findManagedKey(deps: Pick<Deps, 'tenants'>, manager: KeyManager, keyId: string): Promise<StoredApiKey> {
  const key = await deps.tenants.getKey(tenantOf(manager), keyId);
  if (!key || !manages(manager, key)) throw new NotFoundError(`No API key ${keyId}.`);
  return key;
}

function newestFirst(a: StoredApiKey, b: StoredApiKey): number {
  return a.createdAt === b.createdAt ? (a.keyId < b.keyId ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;
}

function newKey(deps: Pick<Deps, 'ids'>, at: Date, tenantId: string, key: string, scopes: Scope[], extra: { name?: string; rotatedFrom?: string }): StoredApiKey {
  return {
    keyHash: hashApiKey(key),
    keyId: deps.ids.next('key'),
    tenantId,
    scopes,
    prefix: keyPrefix(key),
    ...extra,
    createdAt: at.toISOString(),
  };
}

/** For each scope of `key`, another key of the tenant with that scope that works without an end; 409 when none. */
async function keptBeside(deps: Pick<Deps, 'tenants' | 'clock'>, key: StoredApiKey): Promise<StoredApiKey[]> {
  const now = deps.clock.now();
  const others = (await deps.tenants.listKeys(key.tenantId)).filter((k) => k.keyId !== key.keyId && keyStatus(k, now) === 'active');
  const keep = new Map<string, StoredApiKey>();
  for (const scope of key.scopes) {
    const other = others.find((k) => k.scopes.includes(scope));
    if (!other) {
      throw new ConflictError(`This is the tenant's last ${scope} key without an end; revoking it would lock the tenant out.`, {
        errors: [
          {
            path: '(path).id',
            code: 'last_key',
            message:
              scope === 'agency'
                ? 'Create another agency key first (POST /v1/api-keys), or rotate this one (POST /v1/api-keys/{id}/rotate) to replace it with an overlap.'
                : 'Create another operator key first (npm run admin -- keys create --scope operator), or rotate this one.',
          },
        ],
      });
    }
    keep.set(other.keyId, other);
  }
  return [...keep.values()];
}

function assertRotatable(key: StoredApiKey, now: Date): void {
  const status = keyStatus(key, now);
  if (status === 'active') return;
  throw new ConflictError(`The key is ${status}; only a key that works without an end is rotated.`, {
    extensions: { keyStatus: status },
    errors: [
      status === 'expiring'
        ? {
            path: '(path).id',
            code: 'rotating',
            message: 'It is being replaced already: rotate its successor (the key whose rotatedFrom names it), or revoke it to end the overlap now.',
          }
        : { path: '(path).id', code: 'not_active', message: 'Create a new key instead (POST /v1/api-keys).' },
    ],
  });
}

async function assertRoomForAKey(deps: Pick<Deps, 'tenants' | 'clock'>, tenantId: string): Promise<void> {
  const now = deps.clock.now();
  const working = (await deps.tenants.listKeys(tenantId)).filter((k) => ['active', 'expiring'].includes(keyStatus(k, now))).length;
  if (working >= MAX_WORKING_KEYS) {
    throw new ConflictError(`The tenant has ${working} working keys, the most it may have.`, {
      errors: [{ path: '(body)', code: 'too_many_keys', message: `Revoke keys no longer used (lastUsedAt tells) before making more; at most ${MAX_WORKING_KEYS} work at once.` }],
    });
  }
}

function hashRequest(request: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function requestOf(idempotencyKey: string | undefined, requestHash: string, keyId: string): { idempotencyKey: string; record: KeyRequestRecord } | undefined {
  return idempotencyKey === undefined ? undefined : { idempotencyKey, record: { requestHash, keyId } };
}

/** The answer to a repeated request (same `Idempotency-Key`): its key, without the key itself; 409 for another body. */
async function replay(deps: Pick<Deps, 'tenants' | 'clock'>, tenantId: string, idempotencyKey: string | undefined, requestHash: string): Promise<IssuedKey | undefined> {
  if (idempotencyKey === undefined) return undefined;
  const seen = await deps.tenants.findKeyRequest(tenantId, idempotencyKey);
  if (!seen) return undefined;
  if (seen.requestHash !== requestHash) {
    throw new ConflictError('This Idempotency-Key was already used with a different request.', {
      errors: [
        {
          path: '(headers).idempotency-key',
          code: 'idempotency_key_reused',
          message: 'Use a new Idempotency-Key for a different request, or resend exactly the same one.',
        },
      ],
    });
  }
  const key = await deps.tenants.getKey(tenantId, seen.keyId);
  if (!key) throw new NotFoundError(`No API key ${seen.keyId}.`);
  return { view: apiKeyView(key, deps.clock.now()), created: false };
}
