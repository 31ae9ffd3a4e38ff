import { Command } from 'commander';
import type { ApiKey, IssuedApiKey } from '../api-types.ts';
import { type CliIo, clientFrom, type ConnectionOptions, withConnection, writeJson } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';

interface JsonOption extends ConnectionOptions {
  json?: boolean;
}

/** The most a rotation's overlap may be (30 days), as the API bounds it. */
const MAX_OVERLAP_SECONDS = 2_592_000;

/**
 * `keys list|create|revoke|rotate`: the tenant's own agency keys, with an agency key. A new key is printed once, on
 * stdout, alone (`export ICP_API_KEY=$(icp-cancel keys create)`); what goes with it goes to stderr.
 */
export function keysCommand(io: CliIo): Command {
  const list = withConnection(new Command('list'))
    .description('list your agency keys, newest first (never the keys themselves)')
    .option('--json', "print the API's answer as JSON")
    .action(async (options: JsonOption) => {
      const page = await clientFrom(options, io).listApiKeys();
      if (options.json) return writeJson(io, page);
      for (const key of page.items) io.stdout.write(`${keyLine(key)}\n`);
    });

  const create = withConnection(new Command('create'))
    .description('make a new agency key and print it (shown this once)')
    .option('--name <name>', 'a label, e.g. "CI pipeline"')
    .option('--idempotency-key <key>', 'makes the request safe to repeat (a repeat answers the key without the key itself)')
    .option('--json', "print the API's answer as JSON (with the key)")
    .action(async (options: JsonOption & { name?: string; idempotencyKey?: string }) => {
      const issued = await clientFrom(options, io).createApiKey(options.name === undefined ? {} : { name: options.name }, options.idempotencyKey);
      if (options.json) return writeJson(io, issued);
      writeIssued(io, issued);
    });

  const revoke = withConnection(new Command('revoke'))
    .description('revoke a key: refused everywhere within 30 s (the last working key is kept: 409)')
    .argument('<key-id>', 'key_…')
    .option('--json', "print the API's answer as JSON")
    .action(async (id: string, options: JsonOption) => {
      const revoked = await clientFrom(options, io).revokeApiKey(id);
      if (options.json) return writeJson(io, revoked);
      io.stdout.write(`${revoked.id}: ${revoked.status}\n`);
      for (const warning of revoked.warnings ?? []) io.stderr.write(`warning: ${warning.message} (${warning.code})\n`);
    });

  const rotate = withConnection(new Command('rotate'))
    .description('replace a key with a new one (printed once); the old one works until the overlap ends')
    .argument('<key-id>', 'key_…')
    .option('--overlap <seconds>', 'how long the old key keeps working (0 to 2592000; default: a day)')
    .option('--idempotency-key <key>', 'makes the request safe to repeat (a repeat answers the key without the key itself)')
    .option('--json', "print the API's answer as JSON (with the new key)")
    .action(async (id: string, options: JsonOption & { overlap?: string; idempotencyKey?: string }) => {
      const overlapSeconds = options.overlap === undefined ? undefined : Number(options.overlap);
      if (overlapSeconds !== undefined && !(Number.isInteger(overlapSeconds) && overlapSeconds >= 0 && overlapSeconds <= MAX_OVERLAP_SECONDS)) {
        throw new UsageError(`--overlap takes a whole number of seconds from 0 to ${MAX_OVERLAP_SECONDS}, not "${options.overlap}".`);
      }
      const rotated = await clientFrom(options, io).rotateApiKey(id, overlapSeconds === undefined ? {} : { overlapSeconds }, options.idempotencyKey);
      if (options.json) return writeJson(io, rotated);
      writeIssued(io, rotated);
      io.stderr.write(`${rotated.previous.id} works until ${rotated.previous.expiresAt ?? 'now'}.\n`);
    });

  return new Command('keys').description("your tenant's agency keys").addCommand(list).addCommand(create).addCommand(revoke).addCommand(rotate);
}

/** `key_…  active  icp_agency_Ab3dEf9h  CI pipeline  created …  used …` (and its end, or its predecessor). */
export function keyLine(key: ApiKey): string {
  return [
    key.id,
    key.status,
    key.prefix ?? '',
    key.name ?? '',
    `created ${key.createdAt}`,
    key.lastUsedAt ? `used ${key.lastUsedAt}` : 'never used',
    key.expiresAt ? `until ${key.expiresAt}` : '',
    key.revokedAt ? `revoked ${key.revokedAt}` : '',
    key.rotatedFrom ? `replaces ${key.rotatedFrom}` : '',
  ]
    .filter(Boolean)
    .join('  ');
}

/** The key alone on stdout; its id and the warning on stderr. A replay has no key to print: that is a failure. */
function writeIssued(io: CliIo, issued: IssuedApiKey): void {
  if (!issued.key) {
    throw new CliError(
      `${issued.id} was made by an earlier request with this idempotency key; its key was shown then and cannot be shown again (revoke it if it was lost).`,
    );
  }
  io.stdout.write(`${issued.key}\n`);
  io.stderr.write(`${issued.id}${issued.name ? ` (${issued.name})` : ''}: the key is shown this once; keep it like a password.\n`);
}
