import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdmin } from '../../../infra/admin/admin.ts';
import { DynamoTenantRepository } from '../../../shared/adapters/dynamo/dynamo-tenant-repository.ts';
import { systemClock } from '../../../shared/adapters/clock.ts';
import { authenticate } from '../../../shared/use-cases/authenticate.ts';
import { startTestTable, TEST_CREDENTIALS, type TestTable } from '../../support/test-table.ts';

/** The admin command against a records table on DynamoDB Local, reached through the SDK's own environment variables. */
describe('npm run admin -- tenant create', { timeout: 30_000 }, () => {
  let table: TestTable;
  const saved = { ...process.env };

  beforeAll(async () => {
    table = await startTestTable('records-admin');
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      AWS_REGION: 'local',
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    });
  }, 60_000);
  afterAll(async () => {
    process.env = saved;
    await table?.stop();
  });

  async function admin(argv: string[], env: Record<string, string | undefined> = {}) {
    let stdout = '';
    let stderr = '';
    const code = await runAdmin(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env });
    return { code, stdout, stderr };
  }

  it('creates a tenant whose printed keys authenticate with their scopes, and stores only their hashes', async () => {
    // Act
    const result = await admin(['tenant', 'create', '--name', '示例代理 Ltd', '--json'], { TABLE_NAME: table.tableName });

    // Assess
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const created = JSON.parse(result.stdout) as { tenantId: string; name: string; agencyKey: string; operatorKey: string };
    expect(created).toMatchObject({ tenantId: expect.stringMatching(/^tnt_/), name: '示例代理 Ltd', agencyKey: expect.stringMatching(/^icp_agency_/) });
    const deps = { tenants: new DynamoTenantRepository(table.documents, table.tableName), clock: systemClock };
    expect(await authenticate(deps, `Bearer ${created.agencyKey}`)).toMatchObject({ tenantId: created.tenantId, scopes: ['agency'] });
    expect(await authenticate(deps, `Bearer ${created.operatorKey}`)).toMatchObject({ tenantId: created.tenantId, scopes: ['operator'] });
    expect(await deps.tenants.getTenant(created.tenantId)).toMatchObject({ name: '示例代理 Ltd' });
    const stored = JSON.stringify(await table.documents.send(new ScanCommand({ TableName: table.tableName })));
    expect(stored).not.toContain(created.agencyKey);
    expect(stored).not.toContain(created.operatorKey);
  });

  it('prints the keys once in words by default', async () => {
    // Act
    const result = await admin(['tenant', 'create', '--name', 'Agency B', '--table', table.tableName]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Tenant tnt_\S+ \(Agency B\) created\..*\n {2}agency key: {3}icp_agency_\S+\n {2}operator key: icp_operator_\S+\n$/s);
  });

  it.each([
    ['no table', ['tenant', 'create', '--name', 'X'], 2, /admin: No table: pass --table or set TABLE_NAME/],
    ['no name', ['tenant', 'create', '--table', 'records-admin'], 2, /required option '--name <name>'/],
    ['a blank name', ['tenant', 'create', '--name', '  ', '--table', 'records-admin'], 2, /--name must be 1 to 200 characters/],
    ['a table that is not there', ['tenant', 'create', '--name', 'X', '--table', 'no-such-table'], 1, /admin: ResourceNotFoundException/],
  ])('exits %s with a one-line reason', async (_what, argv, code, message) => {
    // Act
    const result = await admin(argv);

    // Assess
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  describe('keys', () => {
    /** A tenant made by the command, with its keys and their ids. */
    async function tenant() {
      const created = JSON.parse((await admin(['tenant', 'create', '--name', 'Keys agency', '--json'], { TABLE_NAME: table.tableName })).stdout) as {
        tenantId: string;
        agencyKey: string;
        operatorKey: string;
      };
      return created;
    }
    const keys = (argv: string[]) => admin(['keys', ...argv, '--table', table.tableName]);
    const deps = () => ({ tenants: new DynamoTenantRepository(table.documents, table.tableName), clock: systemClock });
    const works = (key: string) => authenticate(deps(), `Bearer ${key}`).then(() => true, () => false);

    it('lists every key of a tenant, operator keys too, without keys or hashes', async () => {
      // Prepare
      const t = await tenant();

      // Act
      const text = await keys(['list', '--tenant', t.tenantId]);
      const json = await keys(['list', '--tenant', t.tenantId, '--json']);

      // Assess
      expect(text.code).toBe(0);
      expect(text.stdout.split('\n')[0]).toMatch(/^id\s+prefix\s+scopes\s+status\s+created\s+last used\s+revoked \/ expires\s+name$/);
      const items = (JSON.parse(json.stdout) as { items: { scopes: string[]; status: string; prefix: string }[] }).items;
      expect(items.map((k) => [k.scopes, k.status]).sort()).toEqual([[['agency'], 'active'], [['operator'], 'active']]);
      expect(`${text.stdout}${json.stdout}`).not.toContain(t.agencyKey);
      expect(items.map((k) => k.prefix).sort()).toEqual([t.agencyKey.slice(0, 19), t.operatorKey.slice(0, 21)]);
    });

    it('creates an operator key, shown once, that authenticates with its scope', async () => {
      // Prepare
      const t = await tenant();

      // Act
      const result = await keys(['create', '--tenant', t.tenantId, '--scope', 'operator', '--name', 'night shift']);

      // Assess
      expect(result.code).toBe(0);
      const key = /\n {2}(icp_operator_\S+)\n$/.exec(result.stdout)?.[1] as string;
      expect(await authenticate(deps(), `Bearer ${key}`)).toMatchObject({ tenantId: t.tenantId, scopes: ['operator'] });
    });

    it('rotates a key with the overlap asked for, then revokes the old one at once', async () => {
      // Prepare
      const t = await tenant();
      const agency = await authenticate(deps(), `Bearer ${t.agencyKey}`);

      // Act
      const rotated = JSON.parse((await keys(['rotate', '--tenant', t.tenantId, '--key', agency.keyId, '--overlap', '600', '--json'])).stdout) as {
        key: string;
        previous: { expiresAt: string; createdAt: string };
        createdAt: string;
      };
      const bothWork = [await works(t.agencyKey), await works(rotated.key)];
      const revoked = await keys(['revoke', '--tenant', t.tenantId, '--key', agency.keyId]);

      // Assess
      expect(Date.parse(rotated.previous.expiresAt) - Date.parse(rotated.createdAt)).toBe(600_000);
      expect(bothWork).toEqual([true, true]);
      expect(revoked).toMatchObject({ code: 0, stderr: '' });
      expect(revoked.stdout).toMatch(/^Key key_\S+ revoked at \S+; the API refuses it within 30 s/);
    });

    it("refuses a tenant's last agency key unless forced, saying what to do", async () => {
      // Prepare
      const t = await tenant();
      const agency = await authenticate(deps(), `Bearer ${t.agencyKey}`);

      // Act
      const refused = await keys(['revoke', '--tenant', t.tenantId, '--key', agency.keyId]);
      const stillWorks = await works(t.agencyKey);
      const forced = await keys(['revoke', '--tenant', t.tenantId, '--key', agency.keyId, '--force', '--json']);

      // Assess
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^admin: This is the tenant's last agency key without an end.*\n {2}Create another agency key first.*\(last_key\)\n$/);
      expect(stillWorks).toBe(true);
      expect(forced.code).toBe(0);
      expect(JSON.parse(forced.stdout)).toMatchObject({ status: 'revoked' });
    });

    it.each([
      ['an unknown scope', ['create', '--tenant', 'tnt_x', '--scope', 'admin'], 2, /--scope must be agency or operator/],
      ['an overlap out of bounds', ['rotate', '--tenant', 'tnt_x', '--key', 'key_x', '--overlap', '2592001'], 2, /--overlap must be a whole number of seconds from 0 to 2592000/],
      ['no --key', ['revoke', '--tenant', 'tnt_x'], 2, /required option '--key <id>'/],
      ['a key the tenant does not have', ['revoke', '--tenant', 'tnt_x', '--key', 'key_x'], 1, /^admin: No API key key_x\.\n$/],
      ['a tenant that does not exist', ['create', '--tenant', 'tnt_nobody'], 1, /^admin: No tenant tnt_nobody\.\n$/],
    ])('exits on %s with the reason', async (_what, argv, code, message) => {
      // Act
      const result = await keys(argv);

      // Assess
      expect(result.code).toBe(code);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    });
  });
});
