import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../shared/domain/records.ts';
import type { Deps } from '../../../shared/ports/deps.ts';
import type { StoredApiKey } from '../../../shared/ports/tenant-repository.ts';
import {
  authenticate,
  generateApiKey,
  hashApiKey,
  KEY_CACHE_MS,
  KEY_USE_PRECISION_MS,
  recordKeyUse,
  UNKNOWN_KEY_CACHE_MS,
} from '../../../shared/use-cases/authenticate.ts';

/**
 * The key cache of a function instance: an entry lives a fixed time from its lookup, never renewed by use, and a
 * refusal much shorter. The tenants here are a map the test changes (a key created, revoked, expiring), and both
 * clocks are the test's, so nothing waits.
 */
function world(options: { apiKeyCacheSeconds?: number } = {}) {
  const keys = new Map<string, StoredApiKey>();
  const uses: { keyId: string; at: string; notBefore: string }[] = [];
  let lookups = 0;
  let wallMs = Date.parse('2026-12-01T00:00:00Z');
  let businessMs = Date.parse('2030-01-01T00:00:00Z');
  let sequence = 0;
  const deps = {
    tenants: {
      findByKeyHash: async (hash: string) => {
        lookups++;
        // A copy, as a table read gives: what the cache holds is what was read then.
        const stored = keys.get(hash);
        return stored ? { ...stored } : undefined;
      },
      recordKeyUse: async (use: { keyId: string; at: string; notBefore: string }) => {
        uses.push({ keyId: use.keyId, at: use.at, notBefore: use.notBefore });
        return true;
      },
    },
    // The business clock is elsewhere (a shifted local clock): the cache must go by the wall clock, expiry by the other.
    clock: { now: () => new Date(businessMs), wallNow: () => new Date(wallMs) },
    ...(options.apiKeyCacheSeconds === undefined ? {} : { settings: { apiKeyCacheSeconds: options.apiKeyCacheSeconds } }),
  } as unknown as Pick<Deps, 'tenants' | 'clock'>;
  return {
    deps,
    add: (key: string, state: Partial<StoredApiKey> = {}) =>
      keys.set(hashApiKey(key), {
        keyHash: hashApiKey(key),
        keyId: `key_${++sequence}`,
        tenantId: 'tnt_cache',
        scopes: ['agency'],
        createdAt: '2029-12-01T00:00:00.000Z',
        ...state,
      }),
    revoke: (key: string) => {
      const stored = keys.get(hashApiKey(key));
      if (stored) stored.revokedAt = new Date(businessMs).toISOString();
    },
    advance: (ms: number) => {
      wallMs += ms;
      businessMs += ms;
    },
    lookups: () => lookups,
    uses,
  };
}

const outcome = (attempt: Promise<Principal>) =>
  attempt.then(
    () => 'ok',
    (error: { status?: number }) => error.status,
  );

describe('authenticating API keys (the instance cache)', () => {
  it('trusts a looked-up key for 30 s from the lookup however often it is used, so a revocation takes effect then', async () => {
    // Prepare
    const w = world();
    const key = generateApiKey('agency');
    w.add(key);
    const use = () => outcome(authenticate(w.deps, `Bearer ${key}`));

    // Act: used every 10 s; revoked after the first use
    const answers = [await use()];
    w.revoke(key);
    for (let i = 0; i < 3; i++) {
      w.advance(10_000);
      answers.push(await use());
    }

    // Assess: 0, 10, 20 s from the cache; 30 s is the lookup's end, whatever the uses in between
    expect(KEY_CACHE_MS).toBe(30_000);
    expect(answers).toEqual(['ok', 'ok', 'ok', 401]);
    expect(w.lookups()).toBe(2);
  });

  it('remembers an unknown key only briefly: a key created a moment after it was tried works a moment later', async () => {
    // Prepare
    const w = world();
    const key = generateApiKey('agency');
    const use = () => outcome(authenticate(w.deps, `Bearer ${key}`));

    // Act
    const before = await use();
    w.add(key);
    const atOnce = await use();
    w.advance(UNKNOWN_KEY_CACHE_MS + 1);
    const later = await use();

    // Assess
    expect([before, atOnce, later]).toEqual([401, 401, 'ok']);
    expect(w.lookups()).toBe(2);
  });

  it('refuses a revoked key like an unknown one once its entry is looked up again', async () => {
    // Prepare
    const w = world();
    const key = generateApiKey('agency');
    w.add(key, { revokedAt: '2029-12-31T00:00:00.000Z' });

    // Act
    const error = await authenticate(w.deps, `Bearer ${key}`).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ status: 401, errors: [{ code: 'unknown_api_key' }] });
  });

  it("ends an expiring key (a rotation's overlap) at its expiresAt by the business clock, even while the cache holds it", async () => {
    // Prepare
    const w = world();
    const key = generateApiKey('agency');
    w.add(key, { expiresAt: '2030-01-01T00:00:10.000Z' });
    const use = () => outcome(authenticate(w.deps, `Bearer ${key}`));

    // Act
    const answers = [await use()];
    w.advance(9_999);
    answers.push(await use());
    w.advance(1);
    answers.push(await use());

    // Assess: one lookup, three answers
    expect(answers).toEqual(['ok', 'ok', 401]);
    expect(w.lookups()).toBe(1);
  });

  it('trusts a looked-up key for API_KEY_CACHE_SECONDS when set', async () => {
    // Prepare
    const w = world({ apiKeyCacheSeconds: 2 });
    const key = generateApiKey('agency');
    w.add(key);
    const use = () => outcome(authenticate(w.deps, `Bearer ${key}`));

    // Act
    const answers = [await use()];
    w.revoke(key);
    w.advance(1_999);
    answers.push(await use());
    w.advance(1);
    answers.push(await use());

    // Assess
    expect(answers).toEqual(['ok', 'ok', 401]);
  });
});

describe('recording when a key was last used', () => {
  it('writes at most once an hour per key from one process, conditional on the stored use being an hour old', async () => {
    // Prepare
    const w = world();
    const [one, two] = [generateApiKey('agency'), generateApiKey('agency')];
    w.add(one);
    w.add(two);
    const principal = async (key: string) => authenticate(w.deps, `Bearer ${key}`);

    // Act: both keys used every 20 minutes for two hours
    for (let minute = 0; minute <= 120; minute += 20) {
      await recordKeyUse(w.deps, await principal(one));
      await recordKeyUse(w.deps, await principal(two));
      w.advance(20 * 60_000);
    }

    // Assess: at 0, 60 and 120 minutes for each key; each write asks that the stored use be over an hour old
    expect(w.uses.map((u) => `${u.keyId} ${u.at}`)).toEqual(
      ['00:00', '01:00', '02:00'].flatMap((time) => [`key_1 2030-01-01T${time}:00.000Z`, `key_2 2030-01-01T${time}:00.000Z`]),
    );
    expect(w.uses.every((u) => Date.parse(u.at) - Date.parse(u.notBefore) === KEY_USE_PRECISION_MS)).toBe(true);
  });

  it('never fails the request it follows when the write fails', async () => {
    // Prepare
    const w = world();
    const key = generateApiKey('agency');
    w.add(key);
    const principal = await authenticate(w.deps, `Bearer ${key}`);
    (w.deps.tenants as unknown as { recordKeyUse: () => Promise<boolean> }).recordKeyUse = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };

    // Act
    const recorded = recordKeyUse(w.deps, principal);

    // Assess
    await expect(recorded).resolves.toBeUndefined();
  });
});
