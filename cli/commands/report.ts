import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { BatchView } from '../api-client.ts';
import { type CliIo, clientFrom, type ConnectionOptions, withConnection } from '../context.ts';
import { CliError } from '../errors.ts';

interface ReportOptions extends ConnectionOptions {
  output?: string;
}

/** `batch report <id>`: downloads the per-row report (CSV) to a file, or to stdout. */
export function reportCommand(io: CliIo): Command {
  return withConnection(new Command('report'))
    .description('download the per-row report (CSV) of a batch')
    .argument('<batch-id>', 'the id printed by `batch submit`')
    .option('-o, --output <file>', 'write the report to this file instead of stdout')
    .action(async (id: string, options: ReportOptions) => {
      const client = clientFrom(options, io);
      const report = await client.downloadReport(id);
      if (options.output === undefined) {
        io.stdout.write(report.toString('utf8'));
        return;
      }
      await writeReport(resolve(io.cwd, options.output), options.output, report);
      io.stderr.write(`Report written to ${options.output} (${report.length} bytes).\n`);
    });
}

export async function writeReport(path: string, shown: string, report: Buffer): Promise<void> {
  try {
    await writeFile(path, report);
  } catch (error) {
    throw new CliError(`Cannot write the report to ${shown}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, {
      cause: error,
    });
  }
}

/** `9,700 applications, 300 rows refused` (and the applications' statuses when some have moved on). */
export function reportSummary(batch: BatchView): string {
  const parts = [`${batch.rows.accepted.toLocaleString('en-US')} applications`, `${batch.rows.rejected.toLocaleString('en-US')} rows refused`];
  const statuses = Object.entries(batch.counts).filter(([, n]) => n > 0);
  if (statuses.length > 0) parts.push(statuses.map(([status, n]) => `${status} ${n.toLocaleString('en-US')}`).join(', '));
  return parts.join('; ');
}
