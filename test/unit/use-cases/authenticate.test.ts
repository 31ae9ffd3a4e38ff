import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../shared/domain/records.ts';
import type { Deps } from '../../../shared/ports/deps.ts';
import { authenticate, generateApiKey, hashApiKey, KEY_CACHE_MS, UNKNOWN_KEY_CACHE_MS } from '../../../shared/use-cases/authenticate.ts';

/**
 * The key cache of a function instance: an entry lives a fixed time from its lookup, never renewed by use, and a
 * refusal much shorter. The tenants here are a map the test changes (a key created, a key revoked), and the wall clock
 * is the test's, so nothing waits.
 */
function world() {
  const keys = new Map<string, Principal>();
  let lookups = 0;
  let wallMs = Date.parse('2026-12-01T00:00:00Z');
  const deps = {
    tenants: {
      findByKeyHash: async (hash: string) => {
        lookups++;
        return keys.get(hash);
      },
    },
    // The business clock is elsewhere (a shifted local clock): the cache must go by the wall clock.
    clock: { now: () => new Date('2030-01-01T00:00:00Z'), wallNow: () => new Date(wallMs) },
  } as unknown as Pick<Deps, 'tenants' | 'clock'>;
  return {
    deps,
    add: (key: string) => keys.set(hashApiKey(key), { tenantId: 'tnt_cache', scopes: ['agency'] } as unknown as Principal),
    revoke: (key: string) => keys.delete(hashApiKey(key)),
    advance: (ms: number) => {
      wallMs += ms;
    },
    lookups: () => lookups,
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
});
