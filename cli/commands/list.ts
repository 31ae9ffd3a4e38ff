import { Command } from 'commander';
import { type CliIo, clientFrom, type ConnectionOptions, withConnection } from '../context.ts';
import { UsageError } from '../errors.ts';
import { renderProgressLine } from '../progress.ts';

interface ListOptions extends ConnectionOptions {
  json?: boolean;
  limit?: string;
}

/** `batch list`: the tenant's batches, newest first: one line each (id, created, progress), or the API's JSON. */
export function listCommand(io: CliIo): Command {
  return withConnection(new Command('list'))
    .description('list your batches, newest first')
    .option('--limit <n>', 'how many (1-100)', '20')
    .option('--json', "print the API's answer as JSON")
    .action(async (options: ListOptions) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new UsageError('--limit takes a whole number from 1 to 100.');
      const page = await clientFrom(options, io).listBatches(limit);
      if (options.json) {
        io.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
        return;
      }
      if (page.items.length === 0) io.stdout.write('No batches yet.\n');
      for (const batch of page.items) io.stdout.write(`${batch.id}  ${batch.createdAt ?? ''}  ${renderProgressLine(batch)}\n`);
      if (page.nextCursor) io.stdout.write(`(more: --limit ${Math.min(100, limit * 2)}, or the API's nextCursor)\n`);
    });
}
