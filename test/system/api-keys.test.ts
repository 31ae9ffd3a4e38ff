import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { createTenant } from '../../shared/use-cases/authenticate.ts';
import { apiClient } from '../support/api-client.ts';

/** Seconds each function instance trusts a key it looked up, for this runtime (README's default is 30). */
const CACHE_SECONDS = 2;
const START = '2026-06-01T10:00:00+08:00';

/**
 * The key lifecycle through the real HTTP API, on a runtime whose key cache is 2 s (API_KEY_CACHE_SECONDS) so that a
 * revocation's delay is seen in the test's time: a key is made, used, rotated (both keys work), and the overlap ends
 * (the runtime restarted on the same data with its clock past the overlap); another key is revoked with itself and refused
 * within the cache's time; another tenant's keys find none of these keys.
 */
describe('API keys through the API', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-keys-'));
  const saved = process.env.API_KEY_CACHE_SECONDS;
  let runtime: LocalRuntime;
  const start = (clockStart: string) =>
    startLocalRuntime({ port: 0, dataDir, authority: 'manual', authorityDelayMs: 0, timeScale: 1, clockStart, schedules: false });

  beforeAll(async () => {
    process.env.API_KEY_CACHE_SECONDS = String(CACHE_SECONDS);
    runtime = await start(START);
  });

  afterAll(async () => {
    await runtime?.stop();
    if (saved === undefined) delete process.env.API_KEY_CACHE_SECONDS;
    else process.env.API_KEY_CACHE_SECONDS = saved;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a key shown once, rotates it with an overlap in which both work, and refuses the old one once the overlap ends', async () => {
    // Prepare
    const demo = apiClient(runtime.url, runtime.demoTenant.agencyKey);
    const other = await createTenant(runtime.deps, { name: 'Another agency' });
    const theirs = apiClient(runtime.url, other.agencyKey);

    // Act: create and use
    const created = await demo('POST', '/v1/api-keys', { name: 'CI pipeline' }, { 'idempotency-key': 'ci-1' });
    const replayed = await demo('POST', '/v1/api-keys', { name: 'CI pipeline' }, { 'idempotency-key': 'ci-1' });
    const ci = apiClient(runtime.url, created.body.key);
    const used = await ci('GET', '/v1/applications');
    const listed = await demo('GET', '/v1/api-keys');

    // Assess: the key once, its prefix and use in the list, no key or hash anywhere else
    expect(created).toMatchObject({ status: 201, body: { name: 'CI pipeline', scopes: ['agency'], status: 'active', key: expect.stringMatching(/^icp_agency_/) } });
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toEqual({ ...created.body, key: undefined });
    expect(used.status).toBe(200);
    const entry = listed.body.items.find((k: { id: string }) => k.id === created.body.id);
    expect(entry).toEqual({ ...replayed.body, lastUsedAt: expect.stringMatching(/^2026-06-01T02:/) });
    expect(created.body.key.startsWith(entry.prefix)).toBe(true);
    expect(JSON.stringify(listed.body)).not.toMatch(/icp_agency_[A-Za-z0-9_-]{20}|[0-9a-f]{64}/);

    // Act: rotate with itself, an hour's overlap
    const rotated = await ci('POST', `/v1/api-keys/${created.body.id}/rotate`, { overlapSeconds: 3600 });
    const successor = apiClient(runtime.url, rotated.body.key);
    const during = [(await ci('GET', '/v1/applications')).status, (await successor('GET', '/v1/applications')).status];

    // Assess
    expect(rotated).toMatchObject({ status: 201, body: { rotatedFrom: created.body.id, name: 'CI pipeline', previous: { id: created.body.id, status: 'expiring' } } });
    expect(Date.parse(rotated.body.previous.expiresAt) - Date.parse(rotated.body.createdAt)).toBe(3_600_000);
    expect(during).toEqual([200, 200]);

    // Act: another tenant names our keys
    const foreign = [
      await theirs('POST', `/v1/api-keys/${rotated.body.id}/revoke`, {}),
      await theirs('POST', `/v1/api-keys/${rotated.body.id}/rotate`, {}),
    ];
    const theirList = await theirs('GET', '/v1/api-keys');

    // Assess: 404 as for a key that does not exist; nothing changed
    expect(foreign.map((a) => [a.status, a.headers.get('content-type')])).toEqual([
      [404, 'application/problem+json'],
      [404, 'application/problem+json'],
    ]);
    expect(theirList.body.items.map((k: { id: string }) => k.id)).not.toContain(rotated.body.id);
    expect((await successor('GET', '/v1/applications')).status).toBe(200);

    // Act: the overlap ends (the same data, the clock a second past the old key's expiresAt)
    await runtime.stop();
    runtime = await start(new Date(Date.parse(rotated.body.previous.expiresAt) + 1000).toISOString());
    const [oldKey, newKey] = [apiClient(runtime.url, created.body.key), apiClient(runtime.url, rotated.body.key)];
    const refused = await oldKey('GET', '/v1/applications');
    const stillWorks = await newKey('GET', '/v1/api-keys');

    // Assess
    expect(refused).toMatchObject({ status: 401, body: { errors: [{ code: 'unknown_api_key' }] } });
    expect(stillWorks.status).toBe(200);
    expect(stillWorks.body.items.find((k: { id: string }) => k.id === created.body.id)?.status).toBe('expired');
  });

  it(`refuses a key revoked with itself within the key cache's ${CACHE_SECONDS} s, and says so in the revocation's answer`, async () => {
    // Prepare
    const demo = apiClient(runtime.url, runtime.demoTenant.agencyKey);
    const made = await demo('POST', '/v1/api-keys', { name: 'leaked' });
    const leaked = apiClient(runtime.url, made.body.key);
    expect((await leaked('GET', '/v1/applications')).status).toBe(200);

    // Act
    const revoked = await leaked('POST', `/v1/api-keys/${made.body.id}/revoke`, {});
    const revokedAt = Date.now();
    let answer = await leaked('GET', '/v1/applications');
    while (answer.status === 200 && Date.now() - revokedAt < (CACHE_SECONDS + 5) * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await leaked('GET', '/v1/applications');
    }
    const refusedAfterMs = Date.now() - revokedAt;

    // Assess
    expect(revoked).toMatchObject({ status: 200, body: { status: 'revoked', warnings: [{ code: 'own_key_revoked' }] } });
    expect(answer).toMatchObject({ status: 401, body: { errors: [{ code: 'unknown_api_key' }] } });
    expect(refusedAfterMs).toBeLessThanOrEqual(CACHE_SECONDS * 1000 + 500);
    expect((await demo('GET', '/v1/api-keys')).body.items.find((k: { id: string }) => k.id === made.body.id)?.status).toBe('revoked');
  });
});
