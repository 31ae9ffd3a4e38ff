import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../../shared/domain/errors.ts';
import { readRegistryImport } from '../../../shared/http/registry-import-body.ts';
import { getFilingRecord, importFilingRegistry } from '../../../shared/use-cases/filing-registry.ts';
import { CREDIT_CODE, uniqueSubjectNumber } from './support/fixtures.ts';
import { agency, withLocalTable, type TestDeps, testDeps } from './support/local-deps.ts';

describe('reading an import body', () => {
  it('reads CSV with our columns (BOM, CRLF, quoted fields), keeping the line of each row', () => {
    // Prepare
    const csv = '\uFEFFfilingNumber,subjectName,subjectType,creditCode,websiteName,domains\r\n'
      + `京ICP备10046444号-9,示例科技有限公司,企业,${CREDIT_CODE},示例网,"example.cn, example.com"\r\n`
      + '\r\n'
      + '京ICP备10046444号-10,示例科技有限公司,enterprise,,"多行\n名称",example.net\r\n';

    // Act
    const { rows, lines } = readRegistryImport('text/csv; charset=utf-8', csv);

    // Assess
    expect(rows).toEqual([
      { filingNumber: '京ICP备10046444号-9', subjectName: '示例科技有限公司', subjectType: '企业', creditCode: CREDIT_CODE, websiteName: '示例网', domains: 'example.cn, example.com' },
      { filingNumber: '京ICP备10046444号-10', subjectName: '示例科技有限公司', subjectType: 'enterprise', creditCode: '', websiteName: '多行\n名称', domains: 'example.net' },
    ]);
    expect(lines).toEqual([2, 5]);
  });

  it('reads CSV in the shape of MIIT\'s query export', () => {
    // Prepare
    const csv = 'mainLicence,serviceLicence,unitName,natureName,serviceName,domain,limitAccess,updateRecordTime\n'
      + '京ICP备10046444号,京ICP备10046444号-9,示例科技有限公司,企业,示例网,example.cn,否,2024-05-01 10:00:00\n';

    // Act
    const { rows } = readRegistryImport('text/csv', csv);

    // Assess
    expect(rows).toEqual([
      expect.objectContaining({ serviceLicence: '京ICP备10046444号-9', domain: 'example.cn', limitAccess: '否' }),
    ]);
  });

  it.each([
    ['a header naming neither shape', 'text/csv', 'number,name\n1,2\n', 'missing_columns'],
    ['a header without rows', 'text/csv', 'filingNumber,subjectName,subjectType\n', 'no_rows'],
    ['an unterminated quote', 'text/csv', 'filingNumber,subjectName,subjectType\n"京ICP备10046444号-9,a,b\n', 'invalid_csv'],
    ['JSON that is not JSON', 'application/json', '{"records": [', 'invalid_json'],
    ['JSON without records', 'application/json', '{"rows": []}', 'unknown_field'],
    ['JSON with no records', 'application/json', '{"records": []}', 'no_rows'],
    ['JSON with 10,001 records', 'application/json', JSON.stringify({ records: Array.from({ length: 10_001 }, () => ({})) }), 'too_many_rows'],
    [
      'CSV with 10,001 rows',
      'text/csv',
      `filingNumber,subjectName,subjectType\n${'京ICP备10046444号,a,enterprise\n'.repeat(10_001)}`,
      'too_many_rows',
    ],
  ])('refuses %s with 400 (%s)', (_what, type, body, code) => {
    // Act
    const reading = () => readRegistryImport(type, body);

    // Assess
    expect(reading).toThrow(ValidationError);
    try {
      reading();
    } catch (error) {
      expect((error as ValidationError).errors.map((e) => e.code)).toContain(code);
    }
  });
});

describe('the filing registry (DynamoDB Local)', { timeout: 30_000 }, () => {
  let deps: TestDeps;
  withLocalTable((table) => {
    deps = testDeps(table);
  });

  it('imports good rows in canonical form and reports the bad ones by row, with their field errors', async () => {
    // Prepare
    const principal = agency();
    const subject = uniqueSubjectNumber();
    const rows = [
      { filingNumber: `${subject.replace('ICP', 'icp')}－1`, subjectName: '示例科技有限公司', subjectType: '企业', creditCode: CREDIT_CODE.toLowerCase(), domains: 'Example.CN;例子.中国' },
      { filingNumber: `${subject}-2`, subjectName: '示例科技有限公司', subjectType: 'enterprise', creditCode: '91110108551385082R', domains: 'b.cn' },
      { filingNumber: `${subject}-3`, subjectType: 'enterprise', domains: 'c.cn' },
    ];

    // Act
    const report = await importFilingRegistry(deps, principal, { rows, lines: [2, 3, 4] });
    const stored = await getFilingRecord(deps, principal, `${subject}-1`);

    // Assess
    expect(report).toEqual({
      rows: 3,
      imported: 1,
      rejected: 2,
      errors: [
        { row: 2, line: 3, errors: [expect.objectContaining({ path: 'creditCode', code: 'invalid_check_character' })] },
        { row: 3, line: 4, errors: [expect.objectContaining({ path: 'subjectName', code: 'invalid_field' })] },
      ],
    });
    expect(stored).toMatchObject({
      filingNumber: `${subject}-1`,
      subjectFilingNumber: subject,
      subjectType: 'enterprise',
      subjectNature: '企业',
      creditCode: CREDIT_CODE,
      domains: ['example.cn', 'xn--fsqu00a.xn--fiqs8s'],
      otherWebsites: [],
      importedAt: deps.clock.now().toISOString(),
    });
  });

  it('merges MIIT\'s one-row-per-domain export into one record per website, and links the subject\'s websites', async () => {
    // Prepare
    const principal = agency();
    const subject = uniqueSubjectNumber();
    const miit = (n: number, domain: string) => ({
      mainLicence: subject,
      serviceLicence: `${subject}-${n}`,
      unitName: '示例科技有限公司',
      natureName: '企业',
      serviceName: `网站${n}`,
      domain,
      limitAccess: '否',
      updateRecordTime: '2024-05-01 10:00:00',
    });

    // Act
    const report = await importFilingRegistry(deps, principal, { rows: [miit(1, 'a.cn'), miit(1, 'www.a.cn'), miit(2, 'b.cn')] });
    const first = await getFilingRecord(deps, principal, `${subject}-1`);

    // Assess
    expect(report).toEqual({ rows: 3, imported: 2, rejected: 0, errors: [] });
    expect(first).toMatchObject({
      domains: ['a.cn', 'www.a.cn'],
      websiteName: '网站1',
      limitAccess: false,
      otherWebsites: [{ filingNumber: `${subject}-2`, websiteName: '网站2', domains: ['b.cn'] }],
    });
  });

  it('reports a row whose record would be too large for the table, and writes the others (no 500)', async () => {
    // Prepare
    const principal = agency();
    const [big, small] = [uniqueSubjectNumber(), uniqueSubjectNumber()];
    const rows = [
      { filingNumber: `${big}-1`, subjectName: '示例科技有限公司', subjectType: 'enterprise', websiteName: 'w'.repeat(450_000), domains: 'a.cn' },
      { filingNumber: `${small}-1`, subjectName: '示例科技有限公司', subjectType: 'enterprise', domains: 'b.cn' },
    ];

    // Act
    const report = await importFilingRegistry(deps, principal, { rows });

    // Assess
    expect(report).toEqual({ rows: 2, imported: 1, rejected: 1, errors: [{ row: 1, errors: [expect.objectContaining({ path: 'websiteName' })] }] });
    await expect(getFilingRecord(deps, principal, `${big}-1`)).rejects.toThrow(NotFoundError);
    expect(await getFilingRecord(deps, principal, `${small}-1`)).toMatchObject({ domains: ['b.cn'] });
  });

  it('replaces a record imported again, and writes large imports in batches', async () => {
    // Prepare
    const principal = agency();
    const subjects = Array.from({ length: 60 }, () => uniqueSubjectNumber());
    const row = (subject: string, name: string) => ({ filingNumber: `${subject}-1`, subjectName: name, subjectType: 'individual', domains: 'x.cn' });
    await importFilingRegistry(deps, principal, { rows: subjects.map((s) => row(s, '张三')) });

    // Act
    const again = await importFilingRegistry(deps, principal, { rows: subjects.map((s) => row(s, '李四')) });
    const last = await getFilingRecord(deps, principal, `${subjects.at(-1)}-1`);

    // Assess
    expect(again.imported).toBe(60);
    expect(last).toMatchObject({ subjectName: '李四', subjectType: 'individual' });
  });

  it('finds a record by a pasted or URL-encoded number; 404 when absent or another tenant\'s; 400 when not a number', async () => {
    // Prepare
    const principal = agency();
    const subject = uniqueSubjectNumber();
    await importFilingRegistry(deps, principal, {
      rows: [{ filingNumber: `${subject}-1`, subjectName: '示例', subjectType: 'enterprise', domains: 'a.cn' }],
    });

    // Act
    const encoded = await getFilingRecord(deps, principal, encodeURIComponent(`${subject}-1`));
    const pasted = await getFilingRecord(deps, principal, ` ${subject.replace('ICP', 'icp')}—1`);
    const absent = await getFilingRecord(deps, principal, `${subject}-2`).catch((e: unknown) => e);
    const foreign = await getFilingRecord(deps, agency(), `${subject}-1`).catch((e: unknown) => e);
    const invalid = await getFilingRecord(deps, principal, 'example.cn').catch((e: unknown) => e);

    // Assess
    expect(encoded.filingNumber).toBe(`${subject}-1`);
    expect(pasted.filingNumber).toBe(`${subject}-1`);
    expect(absent).toBeInstanceOf(NotFoundError);
    expect(foreign).toBeInstanceOf(NotFoundError);
    expect(invalid).toMatchObject({ status: 400, errors: [{ path: 'filingNumber', code: 'not_a_filing_number' }] });
  });
});
