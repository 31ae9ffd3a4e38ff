import { Command } from 'commander';
import { type CliIo, clientFrom, type ConnectionOptions, withConnection } from '../context.ts';

interface ReleaseOptions extends ConnectionOptions {
  json?: boolean;
}

/**
 * `batch release <id>`: submits a held batch's drafts, page after page until the API has no more (each page is one
 * `POST /v1/batches/{id}/submit`), and prints the totals. Safe to run again: what was submitted is skipped.
 */
export function releaseCommand(io: CliIo): Command {
  return withConnection(new Command('release'))
    .description("submit a held batch's drafts (those still missing files submit themselves once their files are accepted)")
    .argument('<batch-id>', 'the id printed by `batch submit --hold`')
    .option('--json', 'print the totals as JSON')
    .action(async (id: string, options: ReleaseOptions) => {
      const client = clientFrom(options, io);
      const totals = { submitted: 0, waiting: 0, skipped: 0 };
      let cursor: string | undefined;
      do {
        const page = await client.releaseBatch(id, cursor);
        totals.submitted += page.submitted;
        totals.waiting += page.waiting;
        totals.skipped += page.skipped;
        cursor = page.nextCursor;
        if (cursor) io.stderr.write(`Batch ${id}: ${totals.submitted} submitted, ${totals.waiting} waiting for files so far…\n`);
      } while (cursor);
      io.stdout.write(
        options.json
          ? `${JSON.stringify({ batchId: id, ...totals })}\n`
          : `Batch ${id}: ${totals.submitted} submitted, ${totals.waiting} waiting for their files (submitted when accepted), ${totals.skipped} not drafts.\n`,
      );
    });
}
