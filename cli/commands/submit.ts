import { resolve } from 'node:path';
import { Command } from 'commander';
import { type CliIo, clientFrom, type ConnectionOptions, defaultSleep, intervalMs, withConnection } from '../context.ts';
import { defaultIdempotencyKey, readManifest } from '../manifest.ts';
import { ProgressDisplay } from '../progress.ts';
import { batchFailed, watchBatch } from '../watch.ts';
import { reportSummary, writeReport } from './report.ts';

interface SubmitOptions extends ConnectionOptions {
  watch?: boolean;
  hold?: boolean;
  idempotencyKey?: string;
  output?: string;
  interval?: string;
}

/**
 * `batch submit <manifest>`: creates a CSV batch, PUTs the manifest to its presigned URL and prints the batch id on
 * stdout. With `--watch`, follows the batch to its end and writes the report next to the manifest.
 */
export function submitCommand(io: CliIo): Command {
  return withConnection(new Command('submit'))
    .description('upload a CSV manifest as a new batch (prints the batch id)')
    .argument('<manifest>', 'the CSV manifest: UTF-8 (with or without BOM), one application per row')
    .option('--watch', 'show the progress until the batch completes, then write the report')
    .option('--hold', 'keep the applications as drafts instead of submitting those whose evidence is complete')
    .option('--idempotency-key <key>', 'reuse a key to retry safely (default: derived from the manifest and --hold)')
    .option('-o, --output <file>', 'where --watch writes the report (default: <manifest>.report.csv)')
    .option('--interval <seconds>', 'how often --watch asks the API', '1')
    .action(async (file: string, options: SubmitOptions) => {
      const client = clientFrom(options, io);
      const every = intervalMs(options.interval);
      const manifest = await readManifest(file, io.cwd);
      const hold = options.hold === true;
      const idempotencyKey = options.idempotencyKey ?? defaultIdempotencyKey(manifest, hold);

      const batch = await client.createCsvBatch({ hold, idempotencyKey });
      if (batch.upload && batch.status === 'awaiting_upload') {
        io.stderr.write(`Batch ${batch.id}: uploading ${file} (${kib(manifest.bytes.length)})…\n`);
        await client.upload(batch.upload, manifest.bytes);
        io.stderr.write(`Batch ${batch.id}: uploaded.\n`);
      } else {
        io.stderr.write(`Batch ${batch.id} already exists for this idempotency key (${batch.status}): nothing new created.\n`);
      }
      io.stdout.write(`${batch.id}\n`);
      if (!options.watch) return;

      const display = new ProgressDisplay(io.stderr);
      const final = await watchBatch(client, batch.id, { hold, intervalMs: every, display, sleep: io.sleep ?? defaultSleep });
      const failed = batchFailed(final);
      // A failed batch keeps the rows it had ingested, and their (partial) report.
      if (failed && final.reportAvailable !== true) throw failed;
      const output = options.output ?? `${file}.report.csv`;
      await writeReport(resolve(io.cwd, output), output, await client.downloadReport(batch.id));
      io.stderr.write(`Report written to ${output}${failed ? ' (partial)' : ''}: ${reportSummary(final)}.\n`);
      if (failed) throw failed;
    });
}

function kib(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
