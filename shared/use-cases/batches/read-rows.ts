import { type Readable, Transform, pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { type Batch, MAX_MANIFEST_ROWS } from '../../domain/batch.ts';
import { headerProblems, manifestRowToItem, normaliseHeader } from '../../domain/batch-manifest.ts';
import type { FieldError } from '../../domain/errors.ts';
import type { BatchDeps } from '../../ports/batch-services.ts';
import { ManifestRejectedError } from './batch-errors.ts';

/** One row of a batch as read, before validation. */
export interface SourceRow {
  /** 1 for the first row after the header (or the first inline item). */
  row: number;
  /** The row as an application body (with `evidence`); undefined when it could not be mapped (see `errors`). */
  item?: Record<string, unknown>;
  /** Problems found while reading the row (e.g. more cells than columns). */
  errors: FieldError[];
  /** The filing number as written, for the report (even when it is not valid). */
  filingNumber: string;
}

function rejected(code: string, message: string): ManifestRejectedError {
  return new ManifestRejectedError(message, { errors: [{ path: '(manifest)', code, message }] });
}

/** Passes bytes through, failing on the first sequence that is not UTF-8 (Excel's plain "CSV" on Chinese Windows is GBK). */
function utf8Check(): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        decoder.decode(chunk, { stream: true });
        offset += chunk.length;
        callback(null, chunk);
      } catch {
        callback(rejected('not_utf8', `The manifest is not UTF-8 (near byte ${offset}): save it as "CSV UTF-8", or convert it (iconv -f GBK -t UTF-8).`));
      }
    },
    flush(callback) {
      try {
        decoder.decode();
        callback();
      } catch {
        callback(rejected('not_utf8', 'The manifest ends in the middle of a UTF-8 character: save it as "CSV UTF-8".'));
      }
    },
  });
}

/** csv-parse's errors (an unclosed quote, say) as a whole-manifest rejection naming the line. */
function csvProblem(error: unknown): unknown {
  if (error instanceof CsvError) {
    const line = (error as CsvError & { lines?: number }).lines;
    return rejected('invalid_csv', `The manifest is not valid CSV${line ? ` at line ${line}` : ''}: ${error.message}`);
  }
  return error;
}

interface ParsedRecord {
  record: string[];
  info: { bytes: number };
}

function csvRecords(source: Readable, options: { bom: boolean; checkUtf8: boolean }): AsyncIterable<ParsedRecord> & Readable {
  const parser = parse({ bom: options.bom, info: true, relax_column_count: true, skip_empty_lines: true });
  // A failure anywhere (S3, the UTF-8 check, the parser) ends the iteration with that error; leaving the loop early
  // stops the download.
  const streams: (Readable | Transform)[] = options.checkUtf8 ? [source, utf8Check(), parser] : [source, parser];
  return (pipeline as (...s: unknown[]) => Readable)(...streams, () => undefined) as AsyncIterable<ParsedRecord> & Readable;
}

/**
 * Reads the whole manifest once, before any row is ingested: its size, that it is UTF-8 and CSV, its header, and how
 * many rows it has. Anything wrong here is wrong for the whole file, so the batch fails with nothing created.
 * @throws ManifestRejectedError
 */
export async function scanManifest(
  deps: Pick<BatchDeps, 'batchFiles' | 'batchSettings'>,
  batch: Batch,
): Promise<{ columns: string[]; rows: number; dataStart: number }> {
  const version = batch.inputVersion;
  const size = await deps.batchFiles.size(batch.inputKey, version);
  if (size === undefined) throw rejected('manifest_missing', 'The manifest is not in storage any more; create a new batch.');
  if (size > deps.batchSettings.maxManifestBytes) {
    throw rejected('manifest_too_large', `The manifest is ${size} bytes; at most ${deps.batchSettings.maxManifestBytes} are taken. Split it.`);
  }
  let columns: string[] | undefined;
  let dataStart = 0;
  let rows = 0;
  try {
    for await (const { record, info } of csvRecords(await deps.batchFiles.read(batch.inputKey, version ? { version } : {}), { bom: true, checkUtf8: true })) {
      if (columns === undefined) {
        columns = normaliseHeader(record);
        dataStart = info.bytes;
        const problems = headerProblems(columns);
        if (problems.length > 0) throw rejected('invalid_header', `The manifest's header is not usable: ${problems.join('; ')}.`);
        continue;
      }
      rows++;
      if (rows > MAX_MANIFEST_ROWS) {
        throw rejected('too_many_rows', `The manifest has more than ${MAX_MANIFEST_ROWS} rows; split it into several batches.`);
      }
    }
  } catch (error) {
    throw csvProblem(error);
  }
  if (columns === undefined) throw rejected('empty_manifest', 'The manifest is empty: it needs a header row and at least one row.');
  if (rows === 0) throw rejected('no_rows', 'The manifest has a header but no rows.');
  return { columns, rows, dataStart };
}

/** Up to `limit` rows of a CSV manifest from the cursor, and the byte offset after the last one. */
export async function readManifestRows(
  deps: Pick<BatchDeps, 'batchFiles'>,
  batch: Batch,
  limit: number,
): Promise<{ rows: SourceRow[]; byte: number }> {
  const columns = batch.columns ?? [];
  const start = batch.cursor.byte;
  const rows: SourceRow[] = [];
  let byte = start;
  const source = await deps.batchFiles.read(batch.inputKey, { start, ...(batch.inputVersion ? { version: batch.inputVersion } : {}) });
  try {
    for await (const { record, info } of csvRecords(source, { bom: false, checkUtf8: false })) {
      const row = batch.cursor.rows + rows.length + 1;
      const { item, errors } = manifestRowToItem(columns, record);
      const filingNumber = (record[columns.indexOf('filingNumber')] ?? '').trim();
      rows.push({ row, ...(errors.length === 0 ? { item } : {}), errors, filingNumber });
      // Offsets count from where this read started; the next chunk starts right after this row's line break.
      byte = start + info.bytes;
      if (rows.length >= limit) break;
    }
  } catch (error) {
    throw csvProblem(error);
  }
  return { rows, byte };
}

/** Up to `limit` inline items from the cursor. */
export async function readInlineRows(deps: Pick<BatchDeps, 'batchFiles'>, batch: Batch, limit: number): Promise<{ rows: SourceRow[]; byte: number }> {
  const chunks: Buffer[] = [];
  for await (const chunk of await deps.batchFiles.read(batch.inputKey)) chunks.push(chunk as Buffer);
  const items = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>[];
  const from = batch.cursor.rows;
  const rows = items.slice(from, from + limit).map((item, i) => ({
    row: from + i + 1,
    item,
    errors: [],
    filingNumber: typeof item.filingNumber === 'string' ? item.filingNumber : '',
  }));
  return { rows, byte: 0 };
}
