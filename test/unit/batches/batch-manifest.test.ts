import { describe, expect, it } from 'vitest';
import { batchView, type Batch, CreateBatchInput, submitModeOf } from '../../../shared/domain/batch.ts';
import { columnOfPath, csvField, headerProblems, manifestRowToItem, MANIFEST_COLUMNS, reportLine } from '../../../shared/domain/batch-manifest.ts';
import { applicationIdFor, rowOfApplication } from '../../../shared/use-cases/batches/batch-keys.ts';

describe('manifest rows', () => {
  it('become application bodies: subject and site state nested, lists split, empty optional cells left out', () => {
    // Act
    const { item, errors } = manifestRowToItem(MANIFEST_COLUMNS, [
      'cancel_website',
      '京ICP备10046444号-9',
      '示例网站, 旧站',
      'a.example.cn; b.example.cn、c.example.cn',
      '示例科技有限公司',
      'enterprise',
      'website_migrated',
      'migrated',
      '2026-11-01',
      ' 91330100799655058B ',
      '',
      'new.example.com',
      '',
      'ev_1 ev_2',
    ]);

    // Assess
    expect(errors).toEqual([]);
    expect(item).toEqual({
      kind: 'cancel_website',
      filingNumber: '京ICP备10046444号-9',
      websiteName: '示例网站, 旧站',
      domains: ['a.example.cn', 'b.example.cn', 'c.example.cn'],
      subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: '91330100799655058B' },
      reason: 'website_migrated',
      siteState: { state: 'migrated', since: '2026-11-01', target: 'new.example.com' },
      evidence: ['ev_1', 'ev_2'],
    });
  });

  it('refuses a row with more cells than the header has columns', () => {
    expect(manifestRowToItem(['kind'], ['a', 'b']).errors).toEqual([expect.objectContaining({ code: 'too_many_fields' })]);
  });

  it('names what is wrong with a header', () => {
    expect(headerProblems([...MANIFEST_COLUMNS])).toEqual([]);
    expect(headerProblems(['kind', 'kind', 'colour'])).toEqual([
      expect.stringContaining('unknown columns "colour"'),
      expect.stringContaining('missing columns filingNumber'),
      'repeated columns kind',
    ]);
  });

  it('reports errors by manifest column', () => {
    expect(['subject.creditCode', 'siteState.since', 'domains.2', 'subject', 'filingNumber', '(row)'].map(columnOfPath)).toEqual([
      'creditCode',
      'siteSince',
      'domains',
      'subjectName',
      'filingNumber',
      '(row)',
    ]);
  });
});

describe('report lines', () => {
  it('quote what needs quoting and keep several errors of a row together, in order', () => {
    // Act
    const created = reportLine({ row: 1, filingNumber: '京ICP备10046444号-9', outcome: 'created', applicationId: 'app_1', status: 'draft', warnings: ['not_in_registry'] });
    const refused = reportLine({
      row: 2,
      filingNumber: '=HYPERLINK("x")',
      outcome: 'refused',
      errors: [
        { path: 'websiteName', code: 'too_small', message: 'must not be empty' },
        { path: 'creditCode', code: 'invalid_check_character', message: 'says "wrong", check | it' },
      ],
    });

    // Assess
    expect(created).toBe('1,京ICP备10046444号-9,created,app_1,draft,,,,not_in_registry\r\n');
    expect(refused).toBe(
      `2,"'=HYPERLINK(""x"")",refused,,,websiteName | creditCode,too_small | invalid_check_character,"must not be empty | says ""wrong"", check / it",\r\n`,
    );
    expect(csvField('a\nb')).toBe('"a\nb"');
  });
});

describe('batch requests', () => {
  it('take inline items or a CSV upload, with the submit mode as submit or hold', () => {
    expect(CreateBatchInput.safeParse({ format: 'csv', hold: true }).data).toEqual({ format: 'csv', hold: true });
    expect(CreateBatchInput.safeParse({ items: [{}], submit: 'hold' }).success).toBe(true);
    expect(CreateBatchInput.safeParse({}).error?.issues[0]?.message).toContain('"items"');
    expect(CreateBatchInput.safeParse({ items: Array.from({ length: 1001 }, () => ({})) }).error?.issues[0]?.path).toEqual(['items']);
    expect(CreateBatchInput.safeParse({ format: 'csv', items: [{}] }).success).toBe(false);
    expect(submitModeOf({})).toBe('immediately');
    expect(submitModeOf({ hold: true })).toBe('hold');
    expect(submitModeOf({ submit: 'immediately', hold: true })).toBeUndefined();
  });

  it('derive application ids from the batch and the row, and back', () => {
    expect(applicationIdFor('bat_01jabc', 42)).toBe('app_01jabc_000042');
    expect(rowOfApplication('bat_01jabc', 'app_01jabc_000042')).toBe(42);
    expect(rowOfApplication('bat_01jabc', 'app_01jxyz_000042')).toBeUndefined();
  });

});

describe('batch view', () => {
  it('shows rows, counts for every status and progress as rows that reached an end', () => {
    // Prepare
    const batch: Batch = {
      id: 'bat_1',
      tenantId: 't',
      status: 'ingested',
      source: 'csv',
      submit: 'immediately',
      inputKey: 'k',
      rowsTotal: 10,
      cursor: { rows: 10, byte: 100, chunks: 1, done: true },
      rowsRefused: 2,
      reportBytes: 10,
      reportKey: 'r',
      ingestRuns: 1,
      version: 3,
      createdAt: 'c',
      updatedAt: 'u',
    };

    // Act
    const view = batchView(batch, { draft: 1, under_review: 3, approved: 4 });

    // Assess
    expect(view).toMatchObject({
      rows: { total: 10, processed: 10, accepted: 8, rejected: 2 },
      counts: { draft: 1, submitted: 0, under_review: 3, approved: 4, failed: 0 },
      progress: 0.6,
      hold: false,
      reportAvailable: true,
    });
  });
});
