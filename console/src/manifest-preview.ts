import { parse } from 'csv-parse/browser/esm/sync';
import { BatchItem } from '../../shared/domain/batch.ts';
import { columnOfPath, headerProblems, manifestRowToItem, normaliseHeader } from '../../shared/domain/batch-manifest.ts';
import type { FieldError } from '../../shared/domain/errors.ts';
import type { FilingRegistryRepository } from '../../shared/ports/filing-registry-repository.ts';
import { fieldErrorsFromZod } from '../../shared/http/zod-errors.ts';
import { validateApplication } from '../../shared/use-cases/validate-application.ts';

/** One row of the manifest as the preview shows it: its cells, and what the checks found. */
export interface PreviewRow {
  row: number;
  cells: Record<string, string>;
  errors: FieldError[];
}

export type ManifestPreview =
  | { ok: true; columns: string[]; rows: PreviewRow[]; total: number; valid: number }
  | { ok: false; problem: 'not_utf8' | 'invalid_csv' | 'invalid_header' | 'no_rows'; detail?: string };

/**
 * Checks a manifest in the browser before it is sent, with the API's own code: the header (`headerProblems`), each
 * row turned into an application body (`manifestRowToItem`), its schema, and `validateApplication` — identifiers,
 * check characters, kind rules — with an empty filing registry, since the tenant's registry and open orders are
 * the API's to check when it ingests the batch (so `not_in_registry` is not shown here). Later rows with the filing
 * of an earlier one are refused as the ingestion refuses them (`duplicate_in_batch`). Errors name the manifest's
 * columns, as the report does.
 *
 * Every row is checked (the counts cover the whole file); `rows` holds the first `previewRows` of them.
 */
export async function previewManifest(bytes: ArrayBuffer, previewRows = 20, now = new Date()): Promise<ManifestPreview> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, problem: 'not_utf8' };
  }
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (error) {
    return { ok: false, problem: 'invalid_csv', detail: error instanceof Error ? error.message : String(error) };
  }
  const [header, ...body] = records;
  if (!header) return { ok: false, problem: 'no_rows' };
  const columns = normaliseHeader(header);
  const problems = headerProblems(columns);
  if (problems.length > 0) return { ok: false, problem: 'invalid_header', detail: problems.join('; ') };
  if (body.length === 0) return { ok: false, problem: 'no_rows' };

  // The registry as a tenant without records has it: validateApplication only lists a subject's records.
  const registry = { listSubject: async () => [] } as unknown as FilingRegistryRepository;
  const deps = { registry, clock: { now: () => now, wallNow: () => new Date() } };
  const firstRowOfFiling = new Map<string, number>();
  const rows: PreviewRow[] = [];
  let valid = 0;
  for (const [i, cells] of body.entries()) {
    const row = i + 1;
    const errors = await checkRow(columns, cells, deps);
    const filing = errors.canonicalFiling;
    if (errors.list.length === 0 && filing !== undefined) {
      const first = firstRowOfFiling.get(filing);
      if (first === undefined) firstRowOfFiling.set(filing, row);
      else errors.list.push({ path: 'filingNumber', code: 'duplicate_in_batch', message: `Row ${first} of this file already cancels ${filing}.` });
    }
    if (errors.list.length === 0) valid++;
    if (rows.length < previewRows) rows.push({ row, cells: Object.fromEntries(columns.map((c, j) => [c, cells[j] ?? ''])), errors: errors.list });
  }
  return { ok: true, columns, rows, total: body.length, valid };
}

async function checkRow(
  columns: string[],
  cells: string[],
  deps: Parameters<typeof validateApplication>[0],
): Promise<{ list: FieldError[]; canonicalFiling?: string }> {
  const { item, errors } = manifestRowToItem(columns, cells);
  if (errors.length > 0) return { list: errors };
  const parsed = BatchItem.safeParse(item);
  if (!parsed.success) return { list: fieldErrorsFromZod(parsed.error).map((e) => ({ ...e, path: columnOfPath(e.path) })) };
  const { evidence: _evidence, ...input } = parsed.data;
  const validation = await validateApplication(deps, 'preview', input);
  return {
    list: validation.errors.map((e) => ({ path: columnOfPath(e.path), code: e.code, message: e.message })),
    canonicalFiling: validation.input.filingNumber,
  };
}
