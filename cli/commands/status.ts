import { Command } from 'commander';
import { type CliIo, clientFrom, type ConnectionOptions, defaultSleep, intervalMs, withConnection } from '../context.ts';
import { ProgressDisplay, renderProgressLine } from '../progress.ts';
import { batchFailed, watchBatch } from '../watch.ts';

interface StatusOptions extends ConnectionOptions {
  json?: boolean;
  watch?: boolean;
  interval?: string;
}

/** `batch status <id>`: one line with the progress and the counts per status (or the API's JSON), or `--watch` it. */
export function statusCommand(io: CliIo): Command {
  return withConnection(new Command('status'))
    .description('show the progress of a batch and its applications\' counts per status')
    .argument('<batch-id>', 'the id printed by `batch submit`')
    .option('--json', 'print the API\'s answer as JSON')
    .option('--watch', 'keep showing the progress until the batch completes')
    .option('--interval <seconds>', 'how often --watch asks the API', '1')
    .action(async (id: string, options: StatusOptions) => {
      const client = clientFrom(options, io);
      const every = intervalMs(options.interval);
      const batch = options.watch
        ? await watchBatch(client, id, {
            hold: false,
            intervalMs: every,
            display: new ProgressDisplay(io.stderr),
            sleep: io.sleep ?? defaultSleep,
          })
        : await client.getBatch(id);
      io.stdout.write(options.json ? `${JSON.stringify(batch, null, 2)}\n` : `${renderProgressLine(batch)}\n`);
      if (batch.error?.message && !options.json) io.stdout.write(`error: ${batch.error.message}${batch.error.code ? ` (${batch.error.code})` : ''}\n`);
      // Watching ends non-zero for a failed batch, so that scripts can tell.
      const failed = options.watch ? batchFailed(batch) : undefined;
      if (failed) throw failed;
    });
}
