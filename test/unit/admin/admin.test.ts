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
});
