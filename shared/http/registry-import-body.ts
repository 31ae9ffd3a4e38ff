import { CsvError, parse as parseCsv } from 'csv-parse/sync';
import * as z from '../zod.ts';
import { ValidationError } from '../domain/errors.ts';
import type { RegistryImportRows } from '../use-cases/filing-registry.ts';
import { type AcceptedMediaTypes, assertJsonDepth } from './api-gateway.ts';
import { fieldErrorsFromZod } from './zod-errors.ts';

/** The import takes JSON or CSV. */
export const REGISTRY_IMPORT_MEDIA_TYPES: AcceptedMediaTypes = {
  pattern: /^(application\/(.+\+)?json|text\/csv)\b/i,
  names: 'application/json ({ "records": [...] }) or text/csv (with a header row)',
};

/** Records per import request; larger registries are imported in several requests (an import is an upsert). */
export const MAX_REGISTRY_IMPORT_ROWS = 10_000;
/** Body limit of an import: about 10,000 CSV rows, well under API Gateway's 10 MB and Lambda's 6 MB. */
export const REGISTRY_IMPORT_MAX_BYTES = 5 * 1024 * 1024;

/** The columns (or JSON members) that make a row one of our shape, or one of MIIT's public query export. */
export const PLAIN_REQUIRED_COLUMNS = ['filingNumber', 'subjectName', 'subjectType'] as const;
export const MIIT_REQUIRED_COLUMNS = ['mainLicence', 'serviceLicence', 'unitName', 'natureName', 'domain'] as const;

/** The JSON body of `POST /v1/filing-registry`. Each record is read on its own, so one bad record fails only itself. */
export const RegistryImportBody = z.strictObject({
  records: z
    .array(z.unknown())
    .check(
      z.minLength(1, 'send at least one record'),
      z.maxLength(MAX_REGISTRY_IMPORT_ROWS, `send at most ${MAX_REGISTRY_IMPORT_ROWS} records per request; split the import`),
    ),
});

/**
 * Reads an import body: `text/csv` (a header row with our column names or MIIT's; UTF-8, with or without BOM) or JSON
 * `{ records: [...] }`. What cannot be read at all is a 400; what a row says is checked row by row on import.
 */
export function readRegistryImport(contentType: string | undefined, body: string): RegistryImportRows {
  if (/^text\/csv\b/i.test(contentType ?? '')) return readCsv(body);
  let json: unknown;
  try {
    json = JSON.parse(body === '' ? '{}' : body);
  } catch (error) {
    throw new ValidationError('The body is not valid JSON.', {
      cause: error,
      errors: [{ path: '(body)', code: 'invalid_json', message: `Send { "records": [...] } as JSON, or CSV as text/csv: ${(error as Error).message}` }],
    });
  }
  assertJsonDepth(json);
  // The same codes as the CSV path, for the same two limits, whichever way the rows come.
  const records = (json as { records?: unknown } | null)?.records;
  if (Array.isArray(records)) checkRowCount(records.length, 'records', 'record');
  const parsed = RegistryImportBody.safeParse(json);
  if (!parsed.success) throw new ValidationError('The body does not match the schema.', { errors: fieldErrorsFromZod(parsed.error) });
  return { rows: parsed.data.records };
}

/** 400 `no_rows` for none, `too_many_rows` for more than {@link MAX_REGISTRY_IMPORT_ROWS}. */
function checkRowCount(count: number, path: string, noun: 'row' | 'record'): void {
  if (count === 0) {
    throw new ValidationError(`The import has no ${noun}s.`, {
      errors: [{ path, code: 'no_rows', message: noun === 'row' ? 'Add at least one row under the header.' : 'Send at least one record.' }],
    });
  }
  if (count > MAX_REGISTRY_IMPORT_ROWS) {
    throw new ValidationError(`Too many ${noun}s.`, {
      errors: [{ path, code: 'too_many_rows', message: `Send at most ${MAX_REGISTRY_IMPORT_ROWS} ${noun}s per request; split the import.` }],
    });
  }
}

function readCsv(body: string): RegistryImportRows {
  let parsed: { record: Record<string, string>; info: { lines: number } }[];
  try {
    parsed = parseCsv(body, {
      bom: true,
      columns: (header: string[]) => header.map((name) => name.trim()),
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    throw new ValidationError('The CSV cannot be read.', {
      cause: error,
      errors: [{ path: '(body)', code: 'invalid_csv', message: `${error.message}. Send UTF-8 CSV with a header row.` }],
    });
  }
  const header = firstLineColumns(body);
  const plain = PLAIN_REQUIRED_COLUMNS.every((c) => header.includes(c));
  const miit = MIIT_REQUIRED_COLUMNS.every((c) => header.includes(c));
  if (!plain && !miit) {
    throw new ValidationError('The CSV header names neither shape of registry rows.', {
      errors: [
        {
          path: '(body)',
          code: 'missing_columns',
          message: `The first row must name the columns: at least ${PLAIN_REQUIRED_COLUMNS.join(', ')} (our shape), or ${MIIT_REQUIRED_COLUMNS.join(', ')} (MIIT's query export). Found: ${header.join(', ') || 'nothing'}.`,
        },
      ],
    });
  }
  checkRowCount(parsed.length, '(body)', 'row');
  return { rows: parsed.map((p) => p.record), lines: parsed.map((p) => p.info.lines) };
}

function firstLineColumns(body: string): string[] {
  const [first] = parseCsv(body, { bom: true, to_line: 1, relax_column_count: true, trim: true }) as string[][];
  return first ?? [];
}
