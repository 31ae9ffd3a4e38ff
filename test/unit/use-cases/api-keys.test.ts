import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../shared/domain/errors.ts';
import type { Principal } from '../../../shared/domain/records.ts';
import { createApiKey, listApiKeys, MAX_WORKING_KEYS, revokeApiKey, rotateApiKey } from '../../../shared/use-cases/api-keys.ts';
import { authenticate, createTenant } from '../../../shared/use-cases/authenticate.ts';
import { type TestDeps, testDeps, withLocalTable } from './support/local-deps.ts';

/**
 * The key lifecycle on the real table (DynamoDB Local): what a tenant may do with its own agency keys through the API,
 * what the administrator may do with any key, and what authentication makes of each state. Each test makes its own
 * tenant; the clock is the test's (authentication checks expiry against it, and its cache ages by it too).
 */
describe('API key lifecycle', { timeout: 30_000 }, () => {
  let deps: TestDeps;
  withLocalTable((t) => {
    deps = testDeps(t, { now: '2026-05-04T02:00:00.000Z' });
  });

  /** A new tenant with its two keys (as the admin command makes it), and the principal of its agency key. */
  async function tenant() {
    const created = await createTenant(deps, { name: 'Agency' });
    const principal = await authenticate(deps, `Bearer ${created.agencyKey}`);
    return { ...created, principal, api: { by: 'tenant' as const, principal }, admin: { by: 'admin' as const, tenantId: created.tenantId } };
  }

  /** 'ok' or the status a request with `key` gets, at the test clock's time (past the key cache of earlier lookups). */
  async function answer(key: string): Promise<'ok' | number> {
    deps.setNow(new Date(deps.clock.now().getTime() + 31_000).toISOString());
    return authenticate(deps, `Bearer ${key}`).then(
      () => 'ok',
      (error: { status: number }) => error.status,
    );
  }

  describe('createApiKey', () => {
    it('answers the key once, stores it under its hash, and lists it by prefix, name and scope', async () => {
      // Prepare
      const t = await tenant();

      // Act
      const issued = await createApiKey(deps, t.api, { name: 'CI pipeline', scope: 'agency' });
      const listed = await listApiKeys(deps, t.api);

      // Assess
      expect(issued).toMatchObject({ created: true, key: expect.stringMatching(/^icp_agency_[A-Za-z0-9_-]{43}$/) });
      expect(issued.view).toEqual({
        id: expect.stringMatching(/^key_/),
        prefix: issued.key?.slice(0, 19),
        name: 'CI pipeline',
        scopes: ['agency'],
        status: 'active',
        createdAt: '2026-05-04T02:00:00.000Z',
      });
      expect(listed.map((k) => k.id)).toEqual([issued.view.id, t.principal.keyId]);
      expect(JSON.stringify(listed)).not.toContain(issued.key);
      expect(await authenticate(deps, `Bearer ${issued.key}`)).toEqual({ tenantId: t.tenantId, keyId: issued.view.id, scopes: ['agency'] });
    });

    it('refuses an operator key through the API (403, on scope), and makes one for the administrator', async () => {
      // Prepare
      const t = await tenant();

      // Act
      const refused = await createApiKey(deps, t.api, { scope: 'operator' }).catch((error: unknown) => error);
      const made = await createApiKey(deps, t.admin, { scope: 'operator' });

      // Assess
      expect(refused).toBeInstanceOf(ForbiddenError);
      expect((refused as ForbiddenError).errors).toEqual([expect.objectContaining({ path: 'scope', code: 'scope_not_allowed' })]);
      expect(await authenticate(deps, `Bearer ${made.key}`)).toMatchObject({ scopes: ['operator'] });
      expect((await listApiKeys(deps, t.api)).map((k) => k.scopes)).toEqual([['agency']]);
      expect((await listApiKeys(deps, t.admin)).map((k) => k.scopes).sort()).toEqual([['agency'], ['operator'], ['operator']]);
    });

    it('answers a repeated Idempotency-Key with the same key, without the key itself, and 409 for another body', async () => {
      // Prepare
      const t = await tenant();
      const first = await createApiKey(deps, t.api, { name: 'deploy', scope: 'agency' }, { idempotencyKey: 'req-1' });

      // Act
      const again = await createApiKey(deps, t.api, { name: 'deploy', scope: 'agency' }, { idempotencyKey: 'req-1' });
      const other = await createApiKey(deps, t.api, { name: 'other', scope: 'agency' }, { idempotencyKey: 'req-1' }).catch((e: unknown) => e);

      // Assess
      expect(again).toEqual({ view: first.view, created: false });
      expect(other).toBeInstanceOf(ConflictError);
      expect((other as ConflictError).errors[0]?.code).toBe('idempotency_key_reused');
      expect(await listApiKeys(deps, t.api)).toHaveLength(2);
    });

    it(`refuses a key beyond ${MAX_WORKING_KEYS} working ones (409 too_many_keys), and makes one again once a key is revoked`, async () => {
      // Prepare: the tenant's own agency key and 19 more
      const t = await tenant();
      const made = [];
      for (let i = 1; i < MAX_WORKING_KEYS - 1; i++) made.push(await createApiKey(deps, t.api, { scope: 'agency' }));

      // Act
      const refused = await createApiKey(deps, t.api, { scope: 'agency' }).catch((e: unknown) => e);
      await revokeApiKey(deps, t.api, made[0]?.view.id as string);
      const after = await createApiKey(deps, t.api, { scope: 'agency' });

      // Assess: the operator key counts too (20 working keys)
      expect((refused as ConflictError).errors[0]?.code).toBe('too_many_keys');
      expect(after.created).toBe(true);
    });

    it('makes keys for tenants that exist only (admin: 404 for another id)', async () => {
      // Act
      const refused = await createApiKey(deps, { by: 'admin', tenantId: 'tnt_nobody' }, { scope: 'agency' }).catch((e: unknown) => e);

      // Assess
      expect(refused).toBeInstanceOf(NotFoundError);
    });
  });

  describe('revokeApiKey', () => {
    it('refuses the key at its next lookup (401 like an unknown key) and keeps it listed as revoked; repeating changes nothing', async () => {
      // Prepare
      const t = await tenant();
      const second = await createApiKey(deps, t.api, { scope: 'agency' });
      expect(await answer(second.key as string)).toBe('ok');

      // Act
      const revoked = await revokeApiKey(deps, t.api, second.view.id);
      const repeated = await revokeApiKey(deps, t.api, second.view.id);

      // Assess
      expect(revoked).toMatchObject({ changed: true, ownKey: false, view: { status: 'revoked', revokedAt: expect.any(String) } });
      expect(repeated).toEqual({ ...revoked, changed: false });
      expect(await answer(second.key as string)).toBe(401);
      expect(await answer(t.agencyKey)).toBe('ok');
      expect((await listApiKeys(deps, t.api)).find((k) => k.id === second.view.id)?.status).toBe('revoked');
    });

    it("refuses to revoke a tenant's last agency key without an end (409 last_key, with what to do), and lets the administrator force it", async () => {
      // Prepare: the tenant's own key is rotated, so the successor is its only key without an end
      const t = await tenant();
      const rotated = await rotateApiKey(deps, t.api, t.principal.keyId, { overlapSeconds: 3600 });

      // Act
      const refused = await revokeApiKey(deps, t.api, rotated.view.id).catch((e: unknown) => e);
      const expiring = await revokeApiKey(deps, t.api, t.principal.keyId);
      const forced = await revokeApiKey(deps, { ...t.admin, allowLastKey: true }, rotated.view.id);

      // Assess
      expect(refused).toBeInstanceOf(ConflictError);
      expect((refused as ConflictError).errors).toEqual([expect.objectContaining({ code: 'last_key', message: expect.stringContaining('POST /v1/api-keys') })]);
      expect(expiring).toMatchObject({ changed: true, ownKey: true });
      expect(forced.changed).toBe(true);
      expect(await answer(rotated.key as string)).toBe(401);
    });

    it('lets only one of two revocations at once through when each key is the other one kept', async () => {
      // Prepare
      const t = await tenant();
      const second = await createApiKey(deps, t.api, { scope: 'agency' });

      // Act
      const outcomes = await Promise.allSettled([revokeApiKey(deps, t.api, t.principal.keyId), revokeApiKey(deps, t.api, second.view.id)]);

      // Assess: one revoked, one refused; the tenant keeps a working agency key
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(ConflictError);
      expect((await listApiKeys(deps, t.api)).filter((k) => k.status === 'active')).toHaveLength(1);
    });

    it("answers 404 for another tenant's key, and through the API for the tenant's own operator key, changing nothing", async () => {
      // Prepare
      const [a, b] = [await tenant(), await tenant()];
      const operatorKey = (await authenticate(deps, `Bearer ${a.operatorKey}`)).keyId;

      // Act
      const outcomes = await Promise.all(
        [
          () => revokeApiKey(deps, b.api, a.principal.keyId),
          () => rotateApiKey(deps, b.api, a.principal.keyId, { overlapSeconds: 60 }),
          () => revokeApiKey(deps, a.api, operatorKey),
          () => revokeApiKey(deps, { by: 'admin', tenantId: b.tenantId }, a.principal.keyId),
        ].map((call) => call().then(() => 'done', (e: unknown) => (e as { status?: number }).status)),
      );

      // Assess
      expect(outcomes).toEqual([404, 404, 404, 404]);
      expect((await listApiKeys(deps, a.admin)).map((k) => k.status)).toEqual(['active', 'active']);
    });
  });

  describe('rotateApiKey', () => {
    it('makes a successor and lets both work for the overlap, then the old one only until expiresAt (checked even while cached)', async () => {
      // Prepare
      const t = await tenant();
      const old = await createApiKey(deps, t.api, { name: 'worker', scope: 'agency' });
      const start = deps.clock.now().getTime();

      // Act
      const rotated = await rotateApiKey(deps, t.api, old.view.id, { overlapSeconds: 600 });
      const during = [await authenticate(deps, `Bearer ${old.key}`).then(() => 'ok'), await authenticate(deps, `Bearer ${rotated.key}`).then(() => 'ok')];
      deps.setNow(new Date(start + 599_000).toISOString());
      const lastSecond = await authenticate(deps, `Bearer ${old.key}`).then(() => 'ok');
      deps.setNow(new Date(start + 600_000).toISOString());
      const atExpiry = await authenticate(deps, `Bearer ${old.key}`).catch((e: { status: number }) => e.status);

      // Assess
      expect(rotated.view).toMatchObject({ name: 'worker', scopes: ['agency'], status: 'active', rotatedFrom: old.view.id });
      expect(rotated.previous).toMatchObject({ id: old.view.id, status: 'expiring', expiresAt: new Date(start + 600_000).toISOString() });
      expect([...during, lastSecond, atExpiry]).toEqual(['ok', 'ok', 'ok', 401]);
      expect(await answer(rotated.key as string)).toBe('ok');
      expect((await listApiKeys(deps, t.api)).find((k) => k.id === old.view.id)?.status).toBe('expired');
    });

    it('rotates a key without an end only: 409 rotating for one in its overlap, 409 not_active for a revoked one', async () => {
      // Prepare
      const t = await tenant();
      const second = await createApiKey(deps, t.api, { scope: 'agency' });
      const third = await createApiKey(deps, t.api, { scope: 'agency' });
      await rotateApiKey(deps, t.api, second.view.id, { overlapSeconds: 60 });
      await revokeApiKey(deps, t.api, third.view.id);

      // Act
      const codes = await Promise.all(
        [second.view.id, third.view.id].map((id) =>
          rotateApiKey(deps, t.api, id, { overlapSeconds: 60 }).catch((e: ConflictError) => e.errors[0]?.code),
        ),
      );

      // Assess
      expect(codes).toEqual(['rotating', 'not_active']);
    });

    it('answers a repeated Idempotency-Key with the same successor (no new key), and lets two rotations at once make one', async () => {
      // Prepare
      const t = await tenant();
      const old = await createApiKey(deps, t.api, { scope: 'agency' });

      // Act
      const [first, second] = await Promise.allSettled([
        rotateApiKey(deps, t.api, old.view.id, { overlapSeconds: 60 }, { idempotencyKey: 'rot-1' }),
        rotateApiKey(deps, t.api, old.view.id, { overlapSeconds: 60 }, { idempotencyKey: 'rot-1' }),
      ]);
      const later = await rotateApiKey(deps, t.api, old.view.id, { overlapSeconds: 60 }, { idempotencyKey: 'rot-1' });

      // Assess: one made the key; the other is its replay (or, when it read before the first wrote, a 409)
      const made = [first, second].flatMap((o) => (o.status === 'fulfilled' && o.value.created ? [o.value] : []));
      expect(made).toHaveLength(1);
      expect(later).toMatchObject({ created: false, view: made[0]?.view, previous: { id: old.view.id, status: 'expiring' } });
      expect(later.key).toBeUndefined();
      expect((await listApiKeys(deps, t.api)).filter((k) => k.rotatedFrom === old.view.id)).toHaveLength(1);
    });
  });
});
