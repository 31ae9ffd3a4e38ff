import { describe, expect, it } from 'vitest';
import type { ApplicationInput } from '../../../shared/domain/application.ts';
import { crossCheck, parseRegistryImport, RegistryRecord } from '../../../shared/domain/filing-registry.ts';

// Rows as MIIT's public query returns them: one row per domain, the subject's number in mainLicence.
const miitRows = [
  {
    mainLicence: '京ICP备10046444号',
    serviceLicence: '京ICP备10046444号-9',
    unitName: '示例（北京）科技有限公司',
    natureName: '企业',
    serviceName: '示例网',
    domain: 'example.com',
    limitAccess: '否',
    updateRecordTime: '2023-05-12 10:11:12',
    contentTypeName: '', // extra fields of the export are ignored
  },
  {
    mainLicence: '京ICP备10046444号',
    serviceLicence: '京ICP备10046444号-9',
    unitName: '示例（北京）科技有限公司',
    natureName: '企业',
    serviceName: '示例网',
    domain: '例子.中国',
    limitAccess: '否',
    updateRecordTime: '2023-05-12 10:11:12',
  },
  {
    mainLicence: '京ICP备10046444号',
    serviceLicence: '京ICP备10046444号-10',
    unitName: '示例（北京）科技有限公司',
    natureName: '企业',
    serviceName: '示例博客',
    domain: 'example-blog.cn',
    limitAccess: '否',
    updateRecordTime: '2024-01-02 09:00:00',
  },
];

const record: RegistryRecord = RegistryRecord.parse({
  filingNumber: '京ICP备10046444号-9',
  subjectFilingNumber: '京ICP备10046444号',
  subjectName: '示例（北京）科技有限公司',
  subjectType: 'enterprise',
  creditCode: '91110000802100433B',
  websiteName: '示例网',
  domains: ['example.com', 'xn--fsqu00a.xn--fiqs8s'],
  otherWebsites: [{ filingNumber: '京ICP备10046444号-10', domains: ['example-blog.cn'] }],
});

const submission: ApplicationInput = {
  kind: 'cancel_website',
  filingNumber: '京ICP备10046444号-9',
  websiteName: '示例网',
  domains: ['EXAMPLE.com', '例子.中国'],
  subject: { name: '示例(北京)科技有限公司', type: 'enterprise', creditCode: '91110000802100433b' },
  reason: 'business_change',
  siteState: { state: 'closed', since: '2026-01-05' },
};

describe('parseRegistryImport', () => {
  it('reads MIIT query rows, merging the domains of one website and noting its siblings', () => {
    // Act
    const result = parseRegistryImport(miitRows);

    // Assess
    expect(result.errors).toEqual([]);
    expect(result.records).toEqual([
      {
        filingNumber: '京ICP备10046444号-9',
        subjectFilingNumber: '京ICP备10046444号',
        subjectName: '示例（北京）科技有限公司',
        subjectType: 'enterprise',
        subjectNature: '企业',
        websiteName: '示例网',
        domains: ['example.com', 'xn--fsqu00a.xn--fiqs8s'],
        limitAccess: false,
        updatedAt: '2023-05-12 10:11:12',
        otherWebsites: [{ filingNumber: '京ICP备10046444号-10', websiteName: '示例博客', domains: ['example-blog.cn'] }],
      },
      expect.objectContaining({
        filingNumber: '京ICP备10046444号-10',
        otherWebsites: [expect.objectContaining({ filingNumber: '京ICP备10046444号-9' })],
      }),
    ]);
    for (const r of result.records) expect(RegistryRecord.safeParse(r).success).toBe(true);
  });

  it('leaves siblings unknown when told not to derive them', () => {
    // Act
    const result = parseRegistryImport(miitRows.slice(0, 1), { siblingsFromImport: false });

    // Assess
    expect(result.records[0]?.otherWebsites).toBeUndefined();
  });

  it('reads our plain rows (CSV cells as strings), normalising identifiers', () => {
    // Prepare
    const rows = [
      {
        filingNumber: '京icp备10046444号－9',
        subjectName: '张三',
        subjectType: '个人',
        idNumber: '11010519491231002x',
        websiteName: '张三的博客',
        domains: 'Example.COM; 例子.中国',
        limitAccess: '',
        otherWebsites: '',
        accessProviders: '阿里云, 腾讯云',
        agencyNote: 'ignored',
      },
    ];

    // Act
    const result = parseRegistryImport(rows);

    // Assess
    expect(result).toEqual({
      errors: [],
      records: [
        {
          filingNumber: '京ICP备10046444号-9',
          subjectFilingNumber: '京ICP备10046444号',
          subjectName: '张三',
          subjectType: 'individual',
          subjectNature: '个人',
          idNumber: '11010519491231002X',
          websiteName: '张三的博客',
          domains: ['example.com', 'xn--fsqu00a.xn--fiqs8s'],
          accessProviders: ['阿里云', '腾讯云'],
          otherWebsites: [],
        },
      ],
    });
  });

  it('keeps an explicit list of other websites', () => {
    // Act
    const result = parseRegistryImport([
      { filingNumber: '京ICP备10046444号-9', subjectName: 'x', subjectType: 'enterprise', domains: ['example.com'], otherWebsites: ['京ICP备10046444号-10'] },
    ]);

    // Assess
    expect(result.records[0]?.otherWebsites).toEqual([{ filingNumber: '京ICP备10046444号-10' }]);
  });

  it('reports each bad row with its fields and keeps the good ones', () => {
    // Prepare
    const rows = [
      miitRows[0],
      { ...miitRows[0], serviceLicence: '港ICP备10046444号-9', domain: 'https://example.com/' },
      { ...miitRows[0], mainLicence: '京ICP备10046445号' },
      { filingNumber: '京ICP备10046444号-3', subjectType: 'enterprise', domains: 'a.com', creditCode: '91110000802100433C' },
      { ...miitRows[1], unitName: '另一家公司' },
    ];

    // Act
    const result = parseRegistryImport(rows);

    // Assess
    expect(result.records.map((r) => r.filingNumber)).toEqual(['京ICP备10046444号-9']);
    expect(result.errors).toEqual([
      {
        row: 1,
        errors: [
          expect.objectContaining({ path: 'serviceLicence', code: 'province_not_in_scope' }),
          expect.objectContaining({ path: 'domain', code: 'url_not_domain' }),
        ],
      },
      { row: 2, errors: [expect.objectContaining({ path: 'mainLicence', code: 'inconsistent_licences' })] },
      {
        row: 3,
        errors: [expect.objectContaining({ path: 'subjectName', code: 'invalid_field', message: 'subjectName is required' })],
      },
      { row: 4, errors: [expect.objectContaining({ path: 'subjectName', code: 'conflicting_rows' })] },
    ]);
  });

  it('refuses text and lists past their bounds, which would make a record DynamoDB cannot store', () => {
    // Prepare
    const plain = { filingNumber: '京ICP备10046444号-3', subjectName: '示例科技有限公司', subjectType: 'enterprise', domains: 'a.com' };
    const rows = [
      { ...plain, subjectName: 'x'.repeat(450_000) },
      { ...plain, websiteName: 'w'.repeat(201) },
      { ...plain, accessProviders: Array.from({ length: 1_001 }, (_, i) => `provider ${i}`) },
      { ...miitRows[0], updateRecordTime: 'u'.repeat(450_000) },
    ];

    // Act
    const result = parseRegistryImport(rows);

    // Assess
    expect(result.records).toEqual([]);
    expect(result.errors.map((e) => e.errors.map((f) => `${f.path} ${f.code}`))).toEqual([
      ['subjectName invalid_field'],
      ['websiteName invalid_field'],
      ['accessProviders invalid_field'],
      ['updateRecordTime invalid_field'],
    ]);
  });

  it('refuses every row of a record that would be larger than one can be: merged rows, or a sibling listing them', () => {
    // Prepare: MIIT's export has a row per domain; 4,000 long domains of one website add up past the limit
    const rows = Array.from({ length: 4_000 }, (_, i) => ({ ...miitRows[0], domain: `${'d'.repeat(50)}${i}.${'e'.repeat(30)}.example.com` }));

    // Act
    const result = parseRegistryImport([...rows, miitRows[2]]);

    // Assess: the other website of the subject lists this one's domains among its siblings
    expect(result.records).toEqual([]);
    expect(result.errors).toHaveLength(4_001);
    expect(result.errors[0]).toEqual({ row: 0, errors: [expect.objectContaining({ path: '(row)', code: 'record_too_large' })] });
    expect(result.errors[4_000]).toEqual({ row: 4_000, errors: [expect.objectContaining({ code: 'record_too_large' })] });
  });
});

describe('crossCheck', () => {
  it('finds nothing when the submission matches up to case, width and IDN form', () => {
    // Act
    const mismatches = crossCheck(submission, record);

    // Assess
    expect(mismatches).toEqual([]);
  });

  it('reports every differing field with both values', () => {
    // Prepare
    const wrong: ApplicationInput = {
      ...submission,
      filingNumber: '京ICP备10046444号-8',
      websiteName: '示例商城',
      domains: ['example.com', 'other.com'],
      subject: { name: '示例科技有限公司', type: 'individual', creditCode: '91110108551385082Q' },
    };

    // Act
    const mismatches = crossCheck(wrong, record);

    // Assess
    expect(mismatches.map(({ path, registryValue, submittedValue }) => ({ path, registryValue, submittedValue }))).toEqual([
      { path: 'filingNumber', registryValue: '京ICP备10046444号-9', submittedValue: '京ICP备10046444号-8' },
      { path: 'subject.name', registryValue: '示例（北京）科技有限公司', submittedValue: '示例科技有限公司' },
      { path: 'subject.type', registryValue: 'enterprise', submittedValue: 'individual' },
      { path: 'subject.creditCode', registryValue: '91110000802100433B', submittedValue: '91110108551385082Q' },
      { path: 'websiteName', registryValue: '示例网', submittedValue: '示例商城' },
      { path: 'domains.1', registryValue: ['example.com', 'xn--fsqu00a.xn--fiqs8s'], submittedValue: 'other.com' },
    ]);
    expect(mismatches.every((m) => m.code === 'registry_mismatch' && m.message.includes('differs from the filing'))).toBe(true);
  });

  it('checks a subject cancellation against the subject number and all its websites\' domains', () => {
    // Prepare
    const subjectCancellation: ApplicationInput = {
      ...submission,
      kind: 'cancel_subject',
      filingNumber: '京ICP备10046444号',
      websiteName: 'anything',
      domains: ['example.com', 'example-blog.cn'],
    };

    // Act
    const mismatches = crossCheck(subjectCancellation, record);

    // Assess
    expect(mismatches).toEqual([]);
  });
});
