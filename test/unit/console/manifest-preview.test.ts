import { describe, expect, it } from 'vitest';
import { previewManifest } from '../../../console/src/manifest-preview.ts';
import { applicationBody } from '../../support/fixtures.ts';
import { manifest, manifestRow } from '../../support/manifest.ts';

const bytesOf = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
const now = new Date('2027-03-01T08:00:00Z');
const body = (overrides: Record<string, unknown> = {}) => applicationBody({ siteState: { state: 'closed', since: '2027-01-15' }, ...overrides });

/** The console's check of a manifest before it is sent, with the API's own row validation. */
describe('previewManifest', () => {
  it('checks every row with the API\'s rules and names the manifest\'s columns, as the report does', async () => {
    // Prepare
    const first = body();
    const rows = [
      manifestRow(first),
      manifestRow(body({ subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: '91330100799655058A' } })),
      manifestRow(body({ filingNumber: first.filingNumber })),
      manifestRow(body({ domains: ['not a domain'] })),
    ];

    // Act
    const preview = await previewManifest(bytesOf(manifest(rows)), 3, now);

    // Assess
    if (!preview.ok) throw new Error(preview.problem);
    expect(preview).toMatchObject({ total: 4, valid: 1 });
    expect(preview.rows.map((r) => r.row)).toEqual([1, 2, 3]);
    expect(preview.rows[0]?.errors).toEqual([]);
    expect(preview.rows[0]?.cells.websiteName).toBe('示例网站');
    expect(preview.rows[1]?.errors).toEqual([expect.objectContaining({ path: 'creditCode', code: 'invalid_check_character' })]);
    expect(preview.rows[2]?.errors).toEqual([expect.objectContaining({ path: 'filingNumber', code: 'duplicate_in_batch' })]);
  });

  it('refuses what the ingestion refuses as a whole: not UTF-8, broken quoting, a bad header, no rows', async () => {
    // Act
    const gbk = await previewManifest(Uint8Array.from([0x6b, 0x69, 0x6e, 0x64, 0x0a, 0xc4, 0xe3]).buffer as ArrayBuffer);
    const quoting = await previewManifest(bytesOf('kind,filingNumber\n"open,quote\n'));
    const header = await previewManifest(bytesOf('kind,filingNumber,colour\ncancel_website,x,red\n'));
    const empty = await previewManifest(bytesOf(manifest([])));

    // Assess
    expect(gbk).toEqual({ ok: false, problem: 'not_utf8' });
    expect(quoting).toMatchObject({ ok: false, problem: 'invalid_csv' });
    expect(header).toMatchObject({ ok: false, problem: 'invalid_header', detail: expect.stringContaining('unknown columns "colour"') });
    expect(empty).toEqual({ ok: false, problem: 'no_rows' });
  });
});
