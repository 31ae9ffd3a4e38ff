import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoTenantRepository, KEY_HISTORY_DAYS } from '../../../shared/adapters/dynamo/dynamo-tenant-repository.ts';
import { ConflictError } from '../../../shared/domain/errors.ts';
import type { StoredApiKey } from '../../../shared/ports/tenant-repository.ts';
import { createTenant, hashApiKey } from '../../../shared/use-cases/authenticate.ts';
import { startTestTable, type TestTable } from '../../support/test-table.ts';

/** The key items on DynamoDB Local: what is stored, what each write changes, and what a failed condition leaves. */
describe('DynamoTenantRepository: API keys', { timeout: 30_000 }, () => {
  let table: TestTable;
  let repository: DynamoTenantRepository;
  let sequence = 0;
  beforeAll(async () => {
    table = await startTestTable('records-keys');
    repository = new DynamoTenantRepository(table.documents, table.tableName);
  }, 60_000);
  afterAll(async () => {
    await table?.stop();
  });

  const at = '2026-06-01T00:00:00.000Z';
  function key(tenantId: string, extra: Partial<StoredApiKey> = {}): StoredApiKey {
    const keyId = `key_${++sequence}`;
    return { keyHash: hashApiKey(`icp_agency_${keyId}`), keyId, tenantId, scopes: ['agency'], prefix: 'icp_agency_abcdefgh', createdAt: at, ...extra };
  }
  async function items(tenantId: string): Promise<Record<string, unknown>[]> {
    const out = await table.documents.send(new ScanCommand({ TableName: table.tableName, FilterExpression: 'tenantId = :t', ExpressionAttributeValues: { ':t': tenantId } }));
    return (out.Items ?? []).sort((a, b) => `${a.pk} ${a.sk}`.localeCompare(`${b.pk} ${b.sk}`));
  }

  it('stores a key under its hash and in its tenant’s list, and reads it back by either', async () => {
    // Prepare
    const tenantId = `tnt_${++sequence}`;
    const stored = key(tenantId, { name: 'CI' });

    // Act
    await repository.putTenantWithKeys({ tenantId, name: 'A', createdAt: at }, [stored]);

    // Assess
    expect(await repository.findByKeyHash(stored.keyHash)).toEqual(stored);
    expect(await repository.getKey(tenantId, stored.keyId)).toEqual(stored);
    expect(await repository.getKey('tnt_other', stored.keyId)).toBeUndefined();
    expect(await repository.listKeys(tenantId)).toEqual([stored]);
    expect((await items(tenantId)).map((i) => `${i.entity} ${i.pk} ${i.sk}`)).toEqual([
      `api_key APIKEY#${stored.keyHash} APIKEY`,
      `api_key_ref TENANT#${tenantId} APIKEY#${stored.keyId}`,
      `tenant TENANT#${tenantId} TENANT`,
    ]);
  });

  it('never stores a second key with the same hash (409), and leaves the first as it was', async () => {
    // Prepare
    const tenantId = `tnt_${++sequence}`;
    const first = key(tenantId);
    await repository.createKey(first);

    // Act
    const second = await repository.createKey({ ...first, keyId: 'key_thief', tenantId: 'tnt_thief' }).catch((e: unknown) => e);

    // Assess
    expect(second).toBeInstanceOf(ConflictError);
    expect(await repository.findByKeyHash(first.keyHash)).toEqual(first);
  });

  it('revokes a key with its history ending 90 days later on all its items, or changes nothing when the kept key is gone', async () => {
    // Prepare
    const tenantId = `tnt_${++sequence}`;
    const [revoked, kept, other] = [key(tenantId), key(tenantId), key(tenantId)];
    for (const k of [revoked, kept, other]) await repository.createKey(k);
    await repository.revokeKey(kept, at, []);
    const before = await items(tenantId);

    // Act
    const refused = await repository.revokeKey(revoked, at, [kept]).catch((e: unknown) => e);
    const unchanged = await items(tenantId);
    await repository.revokeKey(revoked, '2026-06-02T00:00:00.000Z', [other]);

    // Assess
    expect(refused).toBeInstanceOf(ConflictError);
    expect(unchanged).toEqual(before);
    const history = Date.parse('2026-06-02T00:00:00.000Z') / 1000 + KEY_HISTORY_DAYS * 86_400;
    const mine = (await items(tenantId)).filter((i) => i.keyId === revoked.keyId);
    expect(mine.map((i) => [i.entity, i.expiresAt])).toEqual([
      ['api_key', history],
      ['api_key_use', history],
      ['api_key_ref', history],
    ]);
    expect(await repository.getKey(tenantId, revoked.keyId)).toMatchObject({ revokedAt: '2026-06-02T00:00:00.000Z' });
  });

  it('rotates in one transaction: the successor stored and the old key expiring, not when the old key was revoked meanwhile', async () => {
    // Prepare
    const tenantId = `tnt_${++sequence}`;
    const [old, revoked] = [key(tenantId), key(tenantId)];
    for (const k of [old, revoked]) await repository.createKey(k);
    await repository.revokeKey(revoked, at, []);
    const [next, unused] = [key(tenantId, { rotatedFrom: old.keyId }), key(tenantId)];

    // Act
    await repository.rotateKey({ previous: old, expiresAt: '2026-06-01T01:00:00.000Z', next, request: { idempotencyKey: 'r1', record: { requestHash: 'h', keyId: next.keyId } } });
    const refused = await repository.rotateKey({ previous: revoked, expiresAt: '2026-06-01T01:00:00.000Z', next: unused }).catch((e: unknown) => e);

    // Assess
    expect(await repository.getKey(tenantId, old.keyId)).toEqual({ ...old, expiresAt: '2026-06-01T01:00:00.000Z' });
    expect(await repository.findByKeyHash(next.keyHash)).toEqual(next);
    expect(await repository.findKeyRequest(tenantId, 'r1')).toEqual({ requestHash: 'h', keyId: next.keyId });
    expect(refused).toBeInstanceOf(ConflictError);
    expect(await repository.findByKeyHash(unused.keyHash)).toBeUndefined();
  });

  it('records a use only when the stored one is older than notBefore, and lists it as lastUsedAt', async () => {
    // Prepare
    const tenantId = `tnt_${++sequence}`;
    const stored = key(tenantId);
    await repository.createKey(stored);
    const use = (time: string, notBefore: string) => repository.recordKeyUse({ tenantId, keyId: stored.keyId, at: time, notBefore });

    // Act
    const written = [
      await use('2026-06-01T10:00:00.000Z', '2026-06-01T09:00:00.000Z'),
      await use('2026-06-01T10:30:00.000Z', '2026-06-01T09:30:00.000Z'),
      await use('2026-06-01T11:00:01.000Z', '2026-06-01T10:00:01.000Z'),
    ];

    // Assess
    expect(written).toEqual([true, false, true]);
    expect((await repository.listKeys(tenantId))[0]?.lastUsedAt).toBe('2026-06-01T11:00:01.000Z');
  });

  it("keeps a given key's id and revocation when its tenant is written again (the demo tenant at every start)", async () => {
    // Prepare
    const deps = { tenants: repository, clock: { now: () => new Date(at), wallNow: () => new Date(at) }, ids: { next: (p: string) => `${p}_${++sequence}` } };
    const keys = { agencyKey: `icp_agency_demo${sequence}`, operatorKey: `icp_operator_demo${sequence}` };
    const first = await createTenant(deps, { name: 'Demo', tenantId: `tnt_demo${sequence}`, ...keys });
    const before = await repository.listKeys(first.tenantId);
    await repository.revokeKey(before[0] as StoredApiKey, at, []);

    // Act
    await createTenant(deps, { name: 'Demo', tenantId: first.tenantId, ...keys });
    const foreign = await createTenant(deps, { name: 'Thief', tenantId: 'tnt_thief2', agencyKey: keys.agencyKey }).catch((e: unknown) => e);

    // Assess
    const after = await repository.listKeys(first.tenantId);
    expect(after.map((k) => k.keyId)).toEqual(before.map((k) => k.keyId));
    expect(after[0]?.revokedAt).toBe(at);
    expect(foreign).toBeInstanceOf(ConflictError);
  });
});
