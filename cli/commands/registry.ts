import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { Command } from 'commander';
import type { FilingRecord, RegistryImportReport, RegistryImportRequest } from '../api-types.ts';
import { type CliIo, clientFrom, type ConnectionOptions, withConnection, writeJson } from '../context.ts';
import { CliError } from '../errors.ts';

interface JsonOption extends ConnectionOptions {
  json?: boolean;
}

/**
 * `registry import <file>` and `registry get <filing-number>`: the agency's own registry of its customers' filings,
 * which every submission is checked against.
 */
export function registryCommand(io: CliIo): Command {
  const importCommand = withConnection(new Command('import'))
    .description('import filing records (up to 10,000 rows, 5 MiB): CSV with a header row (ours or MIIT\'s export), or JSON')
    .argument('<file>', '.csv, or .json: { "records": [...] } or an array of records')
    .option('--json', "print the API's answer as JSON")
    .action(async (file: string, options: JsonOption) => {
      const body = await readRegistryFile(file, io.cwd);
      const report = await clientFrom(options, io).importRegistry(body);
      if (options.json) return writeJson(io, report);
      io.stdout.write(renderImport(report));
    });

  const get = withConnection(new Command('get'))
    .description('show the record of a filing in your registry')
    .argument('<filing-number>', '京ICP备…号-N, or a subject\'s …号')
    .option('--json', "print the API's answer as JSON")
    .action(async (filingNumber: string, options: JsonOption) => {
      const record = await clientFrom(options, io).getFilingRecord(filingNumber);
      if (options.json) return writeJson(io, record);
      io.stdout.write(`${renderRecord(record)}\n`);
    });

  return new Command('registry').description("your customers' original filings, which submissions are checked against").addCommand(importCommand).addCommand(get);
}

/**
 * The body to send: a CSV file as it is (the API reads it), a JSON file as `{ records }` (an array is wrapped). The
 * rows are the API's to validate; only a file that is neither is refused here.
 */
export async function readRegistryFile(file: string, cwd: string): Promise<{ csv: string } | { json: RegistryImportRequest }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(resolve(cwd, file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`Cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)}.`, { cause: error });
  }
  let text: string;
  try {
    // The BOM stays: the file is sent as it is, and the API reads Excel's "CSV UTF-8" with it.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw new CliError(`${file} is not UTF-8 (GBK?): save it as "CSV UTF-8".`, { cause: error });
  }
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (extname(file).toLowerCase() !== '.json' && !/^[[{]/.test(start)) return { csv: text };
  let json: unknown;
  try {
    json = JSON.parse(start);
  } catch (error) {
    throw new CliError(`${file} is not JSON: ${(error as Error).message}.`, { cause: error });
  }
  return { json: (Array.isArray(json) ? { records: json } : json) as RegistryImportRequest };
}

/** `3 rows: 2 imported, 1 refused.` then each refused row with its errors. */
export function renderImport(report: RegistryImportReport): string {
  const lines = [`${report.rows} rows: ${report.imported} imported, ${report.rejected} refused.`];
  for (const row of report.errors) {
    const where = `row ${row.row}${row.line === undefined ? '' : ` (line ${row.line})`}`;
    for (const e of row.errors) lines.push(`  ${where}: ${e.path}: ${e.message} (${e.code})`);
  }
  return `${lines.join('\n')}\n`;
}

function renderRecord(record: FilingRecord): string {
  const rows: [string, string | undefined][] = [
    ['subject', `${record.subjectName} (${record.subjectType}${record.creditCode ? `, ${record.creditCode}` : ''}${record.idNumber ? `, ${record.idNumber}` : ''})`],
    ['subject filing', record.subjectFilingNumber],
    ['website', record.websiteName],
    ['domains', record.domains.join(', ')],
    ['other websites', record.otherWebsites?.map((w) => w.filingNumber).join(', ') || undefined],
    ['access', record.accessProviders?.join(', ') || undefined],
    ['limit access', record.limitAccess === undefined ? undefined : String(record.limitAccess)],
    ['imported', record.importedAt],
  ];
  return [record.filingNumber, ...rows.filter((r): r is [string, string] => r[1] !== undefined).map(([k, v]) => `  ${k.padEnd(15)}${v}`)].join('\n');
}
