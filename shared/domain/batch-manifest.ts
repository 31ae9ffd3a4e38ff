import type { FieldError } from './errors.ts';
import type { RowOutcome } from './batch.ts';

/**
 * The CSV manifest of a batch (one application per row) and the CSV report that answers it (one line per row).
 *
 * Manifest: UTF-8, with or without a byte-order mark; a header row naming the columns (any order); RFC 4180 quoting
 * (fields holding commas, quotes or line breaks are quoted, quotes doubled); empty lines skipped. A cell left empty is
 * a value not given. Rows are numbered from 1, the header not counted.
 */

/** Columns every manifest must have. */
export const REQUIRED_COLUMNS = [
  'kind',
  'filingNumber',
  'websiteName',
  'domains',
  'subjectName',
  'subjectType',
  'reason',
  'siteState',
  'siteSince',
] as const;

/** Columns a manifest may add. */
export const OPTIONAL_COLUMNS = ['creditCode', 'idNumber', 'siteTarget', 'customerRef', 'evidence'] as const;

export const MANIFEST_COLUMNS: readonly string[] = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS];

/** Several domains or evidence ids in one cell: separated by `;`, `,` (in a quoted cell), `、` or spaces. */
const LIST_SEPARATOR = /[;,，；、\s]+/;

/** Problems with the header that make the whole manifest unreadable (nothing is created). */
export function headerProblems(columns: readonly string[]): string[] {
  const problems: string[] = [];
  const unknown = columns.filter((c) => !MANIFEST_COLUMNS.includes(c));
  if (unknown.length > 0) problems.push(`unknown columns ${unknown.map((c) => JSON.stringify(c)).join(', ')} (allowed: ${MANIFEST_COLUMNS.join(', ')})`);
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) problems.push(`missing columns ${missing.join(', ')}`);
  const seen = new Set<string>();
  const repeated = columns.filter((c) => (seen.has(c) ? true : (seen.add(c), false)));
  if (repeated.length > 0) problems.push(`repeated columns ${[...new Set(repeated)].join(', ')}`);
  return problems;
}

/** The header as written: cells trimmed (spreadsheets pad them), a BOM already removed by the parser. */
export function normaliseHeader(cells: readonly string[]): string[] {
  return cells.map((c) => c.trim());
}

function list(value: string): string[] {
  return value.split(LIST_SEPARATOR).filter((v) => v !== '');
}

/**
 * One manifest row as an application body (with `evidence`), for the same validation as `POST /v1/applications`.
 * Required cells are passed on even when empty (so the message says "must not be empty"); optional ones only when set.
 * A row with more cells than the header is refused (`too_many_fields`): a comma was probably not quoted.
 */
export function manifestRowToItem(
  columns: readonly string[],
  cells: readonly string[],
): { item: Record<string, unknown>; errors: FieldError[] } {
  if (cells.length > columns.length) {
    return {
      item: {},
      errors: [
        {
          path: '(row)',
          code: 'too_many_fields',
          message: `The row has ${cells.length} fields but the header has ${columns.length}: quote fields that contain commas.`,
        },
      ],
    };
  }
  const cell = new Map<string, string>();
  columns.forEach((column, i) => cell.set(column, (cells[i] ?? '').trim()));
  const required = (name: string) => cell.get(name) ?? '';
  const optional = (name: string) => {
    const value = cell.get(name);
    return value === undefined || value === '' ? undefined : value;
  };
  const siteState: Record<string, unknown> = { state: required('siteState'), since: required('siteSince') };
  const target = optional('siteTarget');
  if (target !== undefined) siteState.target = target;
  const subject: Record<string, unknown> = { name: required('subjectName'), type: required('subjectType') };
  for (const [column, field] of [['creditCode', 'creditCode'], ['idNumber', 'idNumber']] as const) {
    const value = optional(column);
    if (value !== undefined) subject[field] = value;
  }
  const item: Record<string, unknown> = {
    kind: required('kind'),
    filingNumber: required('filingNumber'),
    websiteName: required('websiteName'),
    domains: list(required('domains')),
    subject,
    reason: required('reason'),
    siteState,
  };
  const customerRef = optional('customerRef');
  if (customerRef !== undefined) item.customerRef = customerRef;
  const evidence = optional('evidence');
  if (evidence !== undefined) item.evidence = list(evidence);
  return { item, errors: [] };
}

/** The manifest column an application field comes from, for errors in the report of a CSV batch. */
const COLUMN_OF_PATH: readonly [RegExp, string][] = [
  [/^subject\.name\b/, 'subjectName'],
  [/^subject\.type\b/, 'subjectType'],
  [/^subject\.creditCode\b/, 'creditCode'],
  [/^subject\.idNumber\b/, 'idNumber'],
  [/^subject\b/, 'subjectName'],
  [/^siteState\.since\b/, 'siteSince'],
  [/^siteState\.target\b/, 'siteTarget'],
  [/^siteState\b/, 'siteState'],
  [/^domains\b/, 'domains'],
  [/^evidence\b/, 'evidence'],
];

export function columnOfPath(path: string): string {
  for (const [pattern, column] of COLUMN_OF_PATH) if (pattern.test(path)) return column;
  return path;
}

/** The report's columns, in order. */
export const REPORT_COLUMNS = [
  'row',
  'filingNumber',
  'outcome',
  'applicationId',
  'status',
  'errorPath',
  'errorCode',
  'errorMessage',
  'warnings',
] as const;

/** Quotes a field when it holds a comma, a quote or a line break (RFC 4180); formula-like text is defused for Excel. */
export function csvField(value: string | number): string {
  let text = String(value);
  // A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection); a leading apostrophe stops that.
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Byte-order mark and header line of the report (Excel opens UTF-8 CSV with Chinese text correctly only with a BOM). */
export const REPORT_HEADER = `\uFEFF${REPORT_COLUMNS.join(',')}\r\n`;

/**
 * One report line. Several errors of a row go in the same line, joined by ` | ` in each error column (the n-th path,
 * code and message belong together).
 */
export function reportLine(outcome: RowOutcome): string {
  const fields =
    outcome.outcome === 'created'
      ? [outcome.row, outcome.filingNumber, 'created', outcome.applicationId, outcome.status, '', '', '', outcome.warnings.join(' | ')]
      : [
          outcome.row,
          outcome.filingNumber,
          'refused',
          '',
          '',
          outcome.errors.map((e) => e.path).join(' | '),
          outcome.errors.map((e) => e.code).join(' | '),
          outcome.errors.map((e) => e.message.replace(/\s*\|\s*/g, ' / ')).join(' | '),
          '',
        ];
  return `${fields.map(csvField).join(',')}\r\n`;
}
