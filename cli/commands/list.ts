import { Command } from 'commander';
import { type CliIo, clientFrom, type ConnectionOptions, limitOf, withConnection, writeJson, writeMore } from '../context.ts';
import { renderProgressLine } from '../progress.ts';

interface ListOptions extends ConnectionOptions {
  json?: boolean;
  limit?: string;
  cursor?: string;
}

/** `batch list`: the tenant's batches, newest first: one line each (id, created, progress), or the API's JSON. */
export function listCommand(io: CliIo): Command {
  return withConnection(new Command('list'))
    .description('list your batches, newest first')
    .option('--limit <n>', 'how many (1-100)', '20')
    .option('--cursor <cursor>', 'the page after the one that printed it')
    .option('--json', "print the API's answer as JSON")
    .action(async (options: ListOptions) => {
      const limit = limitOf(options.limit, 100);
      const page = await clientFrom(options, io).listBatches({ limit, ...(options.cursor ? { cursor: options.cursor } : {}) });
      if (options.json) return writeJson(io, page);
      if (page.items.length === 0 && !options.cursor) io.stdout.write('No batches yet.\n');
      for (const batch of page.items) io.stdout.write(`${batch.id}  ${batch.createdAt}  ${renderProgressLine(batch)}\n`);
      writeMore(io, page.nextCursor);
    });
}
