import { CREDIT_CODE_CHARSET, creditCodeCheckCharacter, organisationCodeCheckCharacter } from '../shared/domain/identifiers/index.ts';

/**
 * Generated CSV manifests for the benchmark and the CLI's whole-system test: every good row is an application the API
 * accepts (real check characters, a distinct website filing number per row), and the bad rows carry one known defect
 * each, so the report can be checked row by row.
 */

/** The manifest's columns, in order (the header row). */
export const MANIFEST_COLUMNS = [
  'kind',
  'filingNumber',
  'websiteName',
  'domains',
  'subjectName',
  'subjectType',
  'creditCode',
  'reason',
  'siteState',
  'siteSince',
  'customerRef',
  'evidence',
] as const;
export type ManifestRow = Record<(typeof MANIFEST_COLUMNS)[number], string>;

/** The defects given to bad rows, in turn; each is refused by the API's row validation. */
export const DEFECTS = ['credit_code_check', 'filing_number_without_hao', 'empty_website_name', 'bad_date', 'url_as_domain', 'duplicate_filing'] as const;
export type Defect = (typeof DEFECTS)[number];

export interface GeneratedManifest {
  csv: string;
  rows: ManifestRow[];
  /** 1-based data row number (the header is not counted) → the defect given to that row. */
  bad: Map<number, Defect>;
}

export interface ManifestOptions {
  rows: number;
  /** Share of bad rows, spread evenly (default 0.03). */
  badRatio?: number;
  /** Keeps filing numbers of different runs apart (0–99). */
  series?: number;
  /** Prefix of customerRef, so a run can find its applications. */
  ref?: string;
  /** Shared evidence id(s) every row references (`POST /v1/batch-evidence`); without, the column is left out. */
  evidence?: string;
}

const PROVINCES = ['京', '沪', '粤', '浙', '苏', '川', '鄂', '鲁'];
const AREAS = ['110108', '310115', '440300', '330106', '320505', '510107', '420106', '370202'];

/** A unified social credit code with valid check characters (its organisation code's too), different for each n. */
export function creditCodeFor(n: number, area = '110108'): string {
  const body = String(10_000_000 + (n % 90_000_000)).slice(-8);
  const first17 = `91${area}${body}${organisationCodeCheckCharacter(body)}`;
  return `${first17}${creditCodeCheckCharacter(first17)}`;
}

/** A website filing number (10 digits: year and sequence) that no other row of the run shares. */
export function filingNumberFor(n: number, series = 0): string {
  const year = 2012 + (series % 10);
  const sequence = (Math.floor(series / 10) * 100_000 + n) % 1_000_000;
  return `${PROVINCES[n % PROVINCES.length]}ICP备${year}${String(sequence).padStart(6, '0')}号-${1 + (n % 7)}`;
}

function goodRow(n: number, series: number, ref: string, evidence: string): ManifestRow {
  const i = n % PROVINCES.length;
  return {
    kind: 'cancel_website',
    filingNumber: filingNumberFor(n, series),
    websiteName: `示例网站 ${n}, 旧站`,
    domains: `site-${n}.example.cn`,
    subjectName: `示例科技有限公司 第${Math.floor(n / 3)}号`,
    subjectType: 'enterprise',
    creditCode: creditCodeFor(Math.floor(n / 3), AREAS[i]),
    reason: 'business_change',
    siteState: 'closed',
    siteSince: '2026-01-15',
    customerRef: `${ref}-${n}`,
    evidence,
  };
}

function withDefect(row: ManifestRow, defect: Defect, previous: ManifestRow | undefined): ManifestRow {
  switch (defect) {
    case 'credit_code_check': {
      const code = row.creditCode;
      const wrong = CREDIT_CODE_CHARSET[(CREDIT_CODE_CHARSET.indexOf(code.charAt(17)) + 1) % CREDIT_CODE_CHARSET.length];
      return { ...row, creditCode: `${code.slice(0, 17)}${wrong}` };
    }
    case 'filing_number_without_hao':
      return { ...row, filingNumber: row.filingNumber.replace('号', '') };
    case 'empty_website_name':
      return { ...row, websiteName: '' };
    case 'bad_date':
      return { ...row, siteSince: '2026-02-30' };
    case 'url_as_domain':
      return { ...row, domains: `https://${row.domains}/index.html` };
    case 'duplicate_filing':
      return { ...row, filingNumber: previous?.filingNumber ?? row.filingNumber };
  }
}

/** Quotes a field when it holds a comma, a quote or a line break (RFC 4180). */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Generates a manifest of `rows` data rows (UTF-8 with a BOM, as Excel's "CSV UTF-8" writes it, CRLF). */
export function generateManifest(options: ManifestOptions): GeneratedManifest {
  const { rows: count, badRatio = 0.03, series = 0, ref = 'bench', evidence = '' } = options;
  const columns = MANIFEST_COLUMNS.filter((c) => c !== 'evidence' || evidence !== '');
  const badCount = Math.round(count * badRatio);
  // Bad rows at evenly spread positions, never the first (a duplicate needs a row before it).
  const positions = new Set(Array.from({ length: badCount }, (_, k) => 2 + Math.floor(((k + 0.5) * (count - 1)) / badCount)));
  const rows: ManifestRow[] = [];
  const bad = new Map<number, Defect>();
  for (let n = 1; n <= count; n++) {
    let row = goodRow(n, series, ref, evidence);
    if (positions.has(n)) {
      const defect = DEFECTS[bad.size % DEFECTS.length] as Defect;
      row = withDefect(row, defect, rows.at(-1));
      bad.set(n, defect);
    }
    rows.push(row);
  }
  const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => csvField(r[c])).join(','))];
  return { csv: `\uFEFF${lines.join('\r\n')}\r\n`, rows, bad };
}
