import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DEFECTS, generateManifest, MANIFEST_COLUMNS } from '../../../bench/manifest.ts';
import { MANIFEST_COLUMNS as API_COLUMNS, REQUIRED_COLUMNS } from '../../../shared/domain/batch-manifest.ts';
import { parseCreditCode, parseDomainName, parseFilingNumber } from '../../../shared/domain/identifiers/index.ts';

/** The manifests the benchmark and the CLI's system test submit: the report is checked against `bad`. */
describe('generated manifests', () => {
  const manifest = generateManifest({ rows: 2_000, series: 3 });

  it('parses back as CSV with the header and every row, quoted fields and Chinese text intact', () => {
    const records = parse(manifest.csv, { columns: true, bom: true }) as Record<string, string>[];
    expect(Object.keys(records[0] ?? {})).toEqual(MANIFEST_COLUMNS.filter((c) => c !== 'evidence'));
    expect(records).toHaveLength(2_000);
    expect(records[0]?.websiteName).toBe('示例网站 1, 旧站');
    expect(manifest.csv.startsWith('\uFEFF')).toBe(true);

    const withEvidence = parse(generateManifest({ rows: 3, evidence: 'ev_01jabcdefghij' }).csv, { columns: true, bom: true }) as Record<string, string>[];
    expect(withEvidence.map((r) => r.evidence)).toEqual(['ev_01jabcdefghij', 'ev_01jabcdefghij', 'ev_01jabcdefghij']);
  });

  it('uses the API\'s manifest columns: all the required ones, no unknown one', () => {
    expect(MANIFEST_COLUMNS.filter((c) => !API_COLUMNS.includes(c))).toEqual([]);
    expect(REQUIRED_COLUMNS.filter((c) => !(MANIFEST_COLUMNS as readonly string[]).includes(c))).toEqual([]);
  });

  it('has ~3% bad rows, spread out, each defect used', () => {
    expect(manifest.bad.size).toBe(60);
    expect(new Set(manifest.bad.values())).toEqual(new Set(DEFECTS));
    const positions = [...manifest.bad.keys()];
    expect(Math.min(...positions.slice(1).map((p, i) => p - (positions[i] as number)))).toBeGreaterThan(20);
  });

  it('gives good rows valid identifiers and filing numbers no other row has', () => {
    const good = manifest.rows.filter((_, i) => !manifest.bad.has(i + 1));
    for (const row of good) {
      expect(parseCreditCode(row.creditCode, 'creditCode').ok, row.creditCode).toBe(true);
      expect(parseFilingNumber(row.filingNumber, 'filingNumber').ok, row.filingNumber).toBe(true);
      expect(parseDomainName(row.domains, 'domains').ok).toBe(true);
    }
    expect(new Set(good.map((r) => r.filingNumber)).size).toBe(good.length);
    // Another series does not reuse this one's numbers.
    const other = new Set(generateManifest({ rows: 2_000, series: 4 }).rows.map((r) => r.filingNumber));
    expect(good.some((r) => other.has(r.filingNumber))).toBe(false);
  });

  it('makes each bad row bad in the way it says', () => {
    for (const [n, defect] of manifest.bad) {
      const row = manifest.rows[n - 1];
      if (!row) throw new Error(`no row ${n}`);
      if (defect === 'credit_code_check') expect(parseCreditCode(row.creditCode, '').ok).toBe(false);
      if (defect === 'filing_number_without_hao') expect(parseFilingNumber(row.filingNumber, '').ok).toBe(false);
      if (defect === 'empty_website_name') expect(row.websiteName).toBe('');
      if (defect === 'bad_date') expect(row.siteSince).toBe('2026-02-30');
      if (defect === 'url_as_domain') expect(parseDomainName(row.domains, '').ok).toBe(false);
      if (defect === 'duplicate_filing') expect(row.filingNumber).toBe(manifest.rows[n - 2]?.filingNumber);
    }
  });
});
