import { chinaToday } from '../domain/calendar/china-date.ts';
import { type FieldError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { parseRegistryImport, type RegistryRecord } from '../domain/filing-registry.ts';
import { parseFilingNumber } from '../domain/identifiers/index.ts';
import type { Principal } from '../domain/records.ts';
import type { Deps } from '../ports/deps.ts';

/** Rows to import, with the CSV line each ends on (for the report). */
export interface RegistryImportRows {
  rows: unknown[];
  lines?: number[];
}

/** One row that was not imported: `row` counts records from 1; `line` is the CSV line it ends on. */
export interface RegistryImportRowError {
  row: number;
  line?: number;
  errors: FieldError[];
}

export interface RegistryImportReport {
  /** Rows (records) received. */
  rows: number;
  /** Filing records written (rows of one website, e.g. one per domain in MIIT's export, make one record). */
  imported: number;
  /** Rows refused, each listed in `errors`. */
  rejected: number;
  errors: RegistryImportRowError[];
}

/**
 * Imports filing records into the tenant's registry.
 *
 * Primary course:
 * 1. Read every row in either shape (ours, or MIIT's query export), row by row: identifiers are parsed and stored in
 *    canonical form; a row with errors is reported with its number (and CSV line) and the field errors, the others go
 *    on. Rows of one website are merged; the websites of one subject in the import know each other (`otherWebsites`).
 * 2. Write the records under the tenant, replacing earlier records of the same filing numbers.
 * 3. Answer the counts and the per-row errors.
 */
export async function importFilingRegistry(
  deps: Pick<Deps, 'registry' | 'clock'>,
  principal: Principal,
  input: RegistryImportRows,
): Promise<RegistryImportReport> {
  const now = deps.clock.now();
  const { records, errors } = parseRegistryImport(input.rows, { today: chinaToday(now) });
  if (records.length > 0) await deps.registry.putRecords(principal.tenantId, records, now.toISOString());
  return {
    rows: input.rows.length,
    imported: records.length,
    rejected: errors.length,
    errors: errors.map(({ row, errors: fieldErrors }) => ({
      row: row + 1,
      ...(input.lines?.[row] === undefined ? {} : { line: input.lines[row] }),
      errors: fieldErrors,
    })),
  };
}

/**
 * One record of the tenant's registry. The filing number may be given as pasted (full-width, URL-encoded…); it is
 * looked up in canonical form.
 */
export async function getFilingRecord(
  deps: Pick<Deps, 'registry' | 'clock'>,
  principal: Principal,
  filingNumber: string,
): Promise<RegistryRecord & { importedAt: string }> {
  const decoded = /%[0-9a-f]{2}/i.test(filingNumber) ? safeDecode(filingNumber) : filingNumber;
  const parsed = parseFilingNumber(decoded, 'filingNumber', { today: chinaToday(deps.clock.now()) });
  if (!parsed.ok) throw new ValidationError('The filing number is not valid.', { errors: parsed.errors });
  const stored = await deps.registry.get(principal.tenantId, parsed.value);
  if (!stored) throw new NotFoundError(`${parsed.value} is not in your filing registry.`);
  return { ...stored.record, importedAt: stored.importedAt };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
