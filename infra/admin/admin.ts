import { Command, CommanderError } from 'commander';
import { DynamoTenantRepository } from '../../shared/adapters/dynamo/dynamo-tenant-repository.ts';
import { makeDocumentClient } from '../../shared/adapters/dynamo/client.ts';
import { systemClock } from '../../shared/adapters/clock.ts';
import { ulidIds } from '../../shared/adapters/ulid-ids.ts';
import { createTenant } from '../../shared/use-cases/authenticate.ts';

/** Where the admin command writes, and the environment it reads (`TABLE_NAME`, the AWS SDK's own variables). */
export interface AdminIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: Record<string, string | undefined>;
}

class AdminUsageError extends Error {
  override readonly name = 'AdminUsageError';
}

/**
 * `npm run admin -- tenant create --name "<agency>"`: creates a tenant (agency) with an agency key and an operator key
 * in the deployed records table, with the credentials and region of the AWS SDK's usual chain (profile, environment,
 * SSO). The keys are printed once and stored only as hashes. Returns the exit code: 0 done, 1 failed, 2 usage.
 */
export async function runAdmin(argv: readonly string[], io: AdminIo): Promise<number> {
  const program = new Command('admin')
    .description('Administration of a deployed icp-cancel: tenants and their API keys.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  const tenant = program.command('tenant').description('tenants (agencies)');
  tenant
    .command('create')
    .description('create a tenant with an agency key and an operator key (shown once)')
    .requiredOption('--name <name>', "the agency's name")
    .option('--table <name>', 'the records table (default: TABLE_NAME; the IcpCancelService stack output TableName)')
    .option('--json', 'print { tenantId, name, agencyKey, operatorKey } as JSON')
    .action(async (options: { name: string; table?: string; json?: boolean }) => {
      const name = options.name.trim();
      if (name.length === 0 || name.length > 200) throw new AdminUsageError('--name must be 1 to 200 characters.');
      const table = options.table ?? io.env.TABLE_NAME;
      if (!table) {
        throw new AdminUsageError(
          'No table: pass --table or set TABLE_NAME (aws cloudformation describe-stacks --stack-name IcpCancelService ' +
            "--query \"Stacks[0].Outputs[?OutputKey=='TableName'].OutputValue\" --output text).",
        );
      }
      const documents = makeDocumentClient();
      try {
        const created = await createTenant({ tenants: new DynamoTenantRepository(documents, table), clock: systemClock, ids: ulidIds }, { name });
        if (options.json) io.stdout.write(`${JSON.stringify({ tenantId: created.tenantId, name, agencyKey: created.agencyKey, operatorKey: created.operatorKey })}\n`);
        else {
          io.stdout.write(
            `Tenant ${created.tenantId} (${name}) created. Its keys are shown this once (only their hashes are stored); keep them now:\n` +
              `  agency key:   ${created.agencyKey}\n  operator key: ${created.operatorKey}\n`,
          );
        }
      } finally {
        documents.destroy();
      }
    });
  for (const command of [tenant, ...tenant.commands]) command.exitOverride().configureOutput(program.configureOutput());

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof AdminUsageError) {
      io.stderr.write(`admin: ${error.message}\n`);
      return 2;
    }
    // Credentials, region, a missing table: the SDK's message says which.
    io.stderr.write(`admin: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return 1;
  }
}
