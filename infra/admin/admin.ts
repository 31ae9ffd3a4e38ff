import { Command, CommanderError } from 'commander';
import { DynamoTenantRepository } from '../../shared/adapters/dynamo/dynamo-tenant-repository.ts';
import { makeDocumentClient } from '../../shared/adapters/dynamo/client.ts';
import { systemClock } from '../../shared/adapters/clock.ts';
import { ulidIds } from '../../shared/adapters/ulid-ids.ts';
import { type ApiKeyView, ROTATION_OVERLAP } from '../../shared/domain/api-key.ts';
import { AppError } from '../../shared/domain/errors.ts';
import type { Scope } from '../../shared/domain/records.ts';
import type { Deps } from '../../shared/ports/deps.ts';
import { createApiKey, type KeyManager, listApiKeys, revokeApiKey, rotateApiKey } from '../../shared/use-cases/api-keys.ts';
import { createTenant, KEY_CACHE_MS } from '../../shared/use-cases/authenticate.ts';

/** Where the admin command writes, and the environment it reads (`TABLE_NAME`, the AWS SDK's own variables). */
export interface AdminIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: Record<string, string | undefined>;
}

class AdminUsageError extends Error {
  override readonly name = 'AdminUsageError';
}

type AdminDeps = Pick<Deps, 'tenants' | 'clock' | 'ids'>;

/**
 * `npm run admin -- …`: the deployer's administration of a deployed icp-cancel, in its records table, with the
 * credentials and region of the AWS SDK's usual chain (profile, environment, SSO):
 * - `tenant create --name "<agency>"`: a tenant (agency) with an agency key and an operator key;
 * - `keys list|create|revoke|rotate --tenant <id> …`: any key of any tenant (operator keys too), beyond what the API
 *   lets a tenant do with its own agency keys; `revoke --force` may take a tenant's last key.
 * Keys are printed once and stored only as hashes. Returns the exit code: 0 done, 1 failed (the SDK's reason, or the
 * refusal and what to do), 2 usage.
 */
export async function runAdmin(argv: readonly string[], io: AdminIo): Promise<number> {
  const program = new Command('admin')
    .description('Administration of a deployed icp-cancel: tenants and their API keys.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  const tableOption = ['--table <name>', 'the records table (default: TABLE_NAME; the IcpCancelService stack output TableName)'] as const;

  const tenant = program.command('tenant').description('tenants (agencies)');
  tenant
    .command('create')
    .description('create a tenant with an agency key and an operator key (shown once)')
    .requiredOption('--name <name>', "the agency's name")
    .option(...tableOption)
    .option('--json', 'print { tenantId, name, agencyKey, operatorKey } as JSON')
    .action(async (options: { name: string; table?: string; json?: boolean }) => {
      const name = options.name.trim();
      if (name.length === 0 || name.length > 200) throw new AdminUsageError('--name must be 1 to 200 characters.');
      await withTable(io, options.table, async (deps) => {
        const created = await createTenant(deps, { name });
        if (options.json) io.stdout.write(`${JSON.stringify({ tenantId: created.tenantId, name, agencyKey: created.agencyKey, operatorKey: created.operatorKey })}\n`);
        else {
          io.stdout.write(
            `Tenant ${created.tenantId} (${name}) created. Its keys are shown this once (only their hashes are stored); keep them now:\n` +
              `  agency key:   ${created.agencyKey}\n  operator key: ${created.operatorKey}\n`,
          );
        }
      });
    });

  const keys = program.command('keys').description("a tenant's API keys (agency and operator)");
  keys
    .command('list')
    .description("list a tenant's keys: id, prefix, scopes, status, created, last used (to the hour), revoked or expiring")
    .requiredOption('--tenant <id>', 'the tenant (tnt_…)')
    .option(...tableOption)
    .option('--json', 'print { items: [...] } as the API does')
    .action(async (options: { tenant: string; table?: string; json?: boolean }) => {
      await withTable(io, options.table, async (deps) => {
        const items = await listApiKeys(deps, admin(options.tenant));
        if (options.json) io.stdout.write(`${JSON.stringify({ items })}\n`);
        else io.stdout.write(items.length === 0 ? `Tenant ${options.tenant} has no keys.\n` : keyTable(items));
      });
    });
  keys
    .command('create')
    .description('create a key (shown once)')
    .requiredOption('--tenant <id>', 'the tenant (tnt_…)')
    .option('--scope <scope>', 'agency or operator', 'agency')
    .option('--name <label>', 'a label for the key (1 to 100 characters)')
    .option(...tableOption)
    .option('--json', 'print the key as the API does, with `key`')
    .action(async (options: { tenant: string; scope: string; name?: string; table?: string; json?: boolean }) => {
      if (options.scope !== 'agency' && options.scope !== 'operator') throw new AdminUsageError('--scope must be agency or operator.');
      const name = options.name?.trim();
      if (name !== undefined && (name.length === 0 || name.length > 100)) throw new AdminUsageError('--name must be 1 to 100 characters.');
      await withTable(io, options.table, async (deps) => {
        const issued = await createApiKey(deps, admin(options.tenant), { scope: options.scope as Scope, ...(name ? { name } : {}) });
        if (options.json) io.stdout.write(`${JSON.stringify({ ...issued.view, key: issued.key })}\n`);
        else {
          io.stdout.write(
            `Key ${issued.view.id} (${options.scope}) created for tenant ${options.tenant}. It is shown this once (only its hash is stored); keep it now:\n` +
              `  ${issued.key}\n`,
          );
        }
      });
    });
  keys
    .command('revoke')
    .description(`revoke a key: refused by the API within ${KEY_CACHE_MS / 1000} s`)
    .requiredOption('--tenant <id>', 'the tenant (tnt_…)')
    .requiredOption('--key <id>', 'the key (key_…)')
    .option('--force', "allow revoking the tenant's last key of its scope without an end (locks the tenant out of that scope)")
    .option(...tableOption)
    .option('--json', 'print the key as the API does')
    .action(async (options: { tenant: string; key: string; force?: boolean; table?: string; json?: boolean }) => {
      await withTable(io, options.table, async (deps) => {
        const revoked = await revokeApiKey(deps, { ...admin(options.tenant), allowLastKey: options.force === true }, options.key);
        if (options.json) io.stdout.write(`${JSON.stringify(revoked.view)}\n`);
        else if (!revoked.changed) io.stdout.write(`Key ${options.key} was revoked already, at ${revoked.view.revokedAt}.\n`);
        else io.stdout.write(`Key ${options.key} revoked at ${revoked.view.revokedAt}; the API refuses it within ${KEY_CACHE_MS / 1000} s (each function instance trusts a key it looked up that long).\n`);
      });
    });
  keys
    .command('rotate')
    .description('replace a key by a new one (shown once); the old one keeps working for the overlap')
    .requiredOption('--tenant <id>', 'the tenant (tnt_…)')
    .requiredOption('--key <id>', 'the key (key_…)')
    .option('--overlap <seconds>', `how long the old key keeps working (${ROTATION_OVERLAP.minSeconds} to ${ROTATION_OVERLAP.maxSeconds})`, String(ROTATION_OVERLAP.defaultSeconds))
    .option(...tableOption)
    .option('--json', 'print the new key as the API does, with `key` and `previous`')
    .action(async (options: { tenant: string; key: string; overlap: string; table?: string; json?: boolean }) => {
      const overlapSeconds = Number(options.overlap);
      if (!/^\d+$/.test(options.overlap) || overlapSeconds < ROTATION_OVERLAP.minSeconds || overlapSeconds > ROTATION_OVERLAP.maxSeconds) {
        throw new AdminUsageError(`--overlap must be a whole number of seconds from ${ROTATION_OVERLAP.minSeconds} to ${ROTATION_OVERLAP.maxSeconds}.`);
      }
      await withTable(io, options.table, async (deps) => {
        const rotated = await rotateApiKey(deps, admin(options.tenant), options.key, { overlapSeconds });
        if (options.json) io.stdout.write(`${JSON.stringify({ ...rotated.view, key: rotated.key, previous: rotated.previous })}\n`);
        else {
          io.stdout.write(
            `Key ${rotated.view.id} replaces ${options.key}, which keeps working until ${rotated.previous.expiresAt}. ` +
              `The new key is shown this once (only its hash is stored); keep it now:\n  ${rotated.key}\n`,
          );
        }
      });
    });
  for (const command of [tenant, keys, ...tenant.commands, ...keys.commands]) command.exitOverride().configureOutput(program.configureOutput());

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof AdminUsageError) {
      io.stderr.write(`admin: ${error.message}\n`);
      return 2;
    }
    // Refused (no such key, the last key, a key being rotated): the reason, and each hint.
    if (error instanceof AppError) {
      io.stderr.write(`admin: ${error.message}\n${error.errors.map((e) => `  ${e.message} (${e.code})\n`).join('')}`);
      return 1;
    }
    // Credentials, region, a missing table: the SDK's message says which.
    io.stderr.write(`admin: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return 1;
  }
}

function admin(tenantId: string): Extract<KeyManager, { by: 'admin' }> {
  return { by: 'admin', tenantId };
}

/** Runs `use` on the records table named by `--table` or `TABLE_NAME`, through the SDK's own configuration. */
async function withTable(io: AdminIo, table: string | undefined, use: (deps: AdminDeps) => Promise<void>): Promise<void> {
  const name = table ?? io.env.TABLE_NAME;
  if (!name) {
    throw new AdminUsageError(
      'No table: pass --table or set TABLE_NAME (aws cloudformation describe-stacks --stack-name IcpCancelService ' +
        "--query \"Stacks[0].Outputs[?OutputKey=='TableName'].OutputValue\" --output text).",
    );
  }
  const documents = makeDocumentClient();
  try {
    await use({ tenants: new DynamoTenantRepository(documents, name), clock: systemClock, ids: ulidIds });
  } finally {
    documents.destroy();
  }
}

/** The keys as a text table, one line each. */
function keyTable(items: ApiKeyView[]): string {
  const rows = [
    ['id', 'prefix', 'scopes', 'status', 'created', 'last used', 'revoked / expires', 'name'],
    ...items.map((k) => [k.id, k.prefix ?? '-', k.scopes.join(','), k.status, k.createdAt, k.lastUsedAt ?? '-', k.revokedAt ?? k.expiresAt ?? '-', k.name ?? '']),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => `${r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`).join('');
}
