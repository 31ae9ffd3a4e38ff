import { describe, expect, it } from 'vitest';
import { UnprocessableError, ValidationError } from '../../../shared/domain/errors.ts';
import { importFilingRegistry } from '../../../shared/use-cases/filing-registry.ts';
import { assertValidApplication, validateApplication } from '../../../shared/use-cases/validate-application.ts';
import { agency, withLocalTable, type TestDeps, testDeps } from './support/local-deps.ts';
import { CREDIT_CODE, OTHER_CREDIT_CODE, RESIDENT_ID, registryRow, uniqueSubjectNumber, websiteApplication } from './support/fixtures.ts';

describe('validateApplication (registry on DynamoDB Local)', { timeout: 30_000 }, () => {
  let deps: TestDeps;
  withLocalTable((table) => {
    deps = testDeps(table);
  });

  const codes = (found: { code: string; path?: string }[]) => found.map((e) => `${e.path ?? ''}:${e.code}`);

  it('stores what people paste in canonical form', async () => {
    // Prepare
    const subject = uniqueSubjectNumber();
    const pasted = websiteApplication({
      filingNumber: ` ${subject.replace('ICP', 'icp').replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))}－1 `,
      domains: ['WWW.Example.CN.', '例子.中国'],
      subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: CREDIT_CODE.toLowerCase().replace(/(.{6})/, '$1 ') },
    });

    // Act
    const result = await validateApplication(deps, agency().tenantId, pasted);

    // Assess
    expect(result.errors).toEqual([]);
    expect(result.input).toMatchObject({
      filingNumber: `${subject}-1`,
      domains: ['www.example.cn', 'xn--fsqu00a.xn--fiqs8s'],
      subject: { creditCode: CREDIT_CODE },
    });
  });

  it('reports each bad identifier at its field with the parser\'s code', async () => {
    // Prepare
    const application = websiteApplication({
      filingNumber: '京ICP备1004644号-9',
      domains: ['https://example.cn/about', 'example.cn'],
      subject: { name: '示例', type: 'individual', idNumber: '110105194912310021', creditCode: '914403001922038217' },
    });

    // Act
    const result = await validateApplication(deps, agency().tenantId, application);

    // Assess
    expect(codes(result.errors)).toEqual(
      expect.arrayContaining([
        'filingNumber:invalid_digit_count',
        'domains.0:url_not_domain',
        'subject.creditCode:invalid_check_character',
        'subject.idNumber:invalid_check_character',
      ]),
    );
    expect(result.errors.every((e) => e.message.length > 20)).toBe(true);
    expect(() => assertValidApplication(result)).toThrow(ValidationError);
  });

  it.each([
    ['cancel_subject', '-1', 'subject_number_required'],
    ['cancel_website', '', 'website_number_required'],
    ['cancel_access', '', 'website_number_required'],
    ['cancel_website', '-4A', 'unsupported_service_type'],
  ] as const)('refuses %s with a number ending "%s" (%s)', async (kind, suffix, code) => {
    // Prepare
    const application = websiteApplication({ kind, filingNumber: `${uniqueSubjectNumber()}${suffix}` });

    // Act
    const result = await validateApplication(deps, agency().tenantId, application);

    // Assess
    expect(codes(result.errors)).toEqual([`filingNumber:${code}`]);
  });

  it('refuses a licence number for a filing kind and a filing number for cancel_licence', async () => {
    // Act
    const website = await validateApplication(deps, agency().tenantId, websiteApplication({ filingNumber: '浙B2-20080224' }));
    const licence = await validateApplication(
      deps,
      agency().tenantId,
      websiteApplication({ kind: 'cancel_licence', filingNumber: `${uniqueSubjectNumber()}` }),
    );
    const goodLicence = await validateApplication(
      deps,
      agency().tenantId,
      websiteApplication({ kind: 'cancel_licence', filingNumber: '浙b2－20080224' }),
    );

    // Assess
    expect(codes(website.errors)).toEqual(['filingNumber:licence_number_given']);
    expect(codes(licence.errors)).toEqual(['filingNumber:filing_number_given']);
    expect(goodLicence).toMatchObject({ errors: [], warnings: [], input: { filingNumber: '浙B2-20080224' } });
  });

  it('accepts a filing missing from the registry with the not_in_registry warning', async () => {
    // Act
    const result = await validateApplication(deps, agency().tenantId, websiteApplication());

    // Assess
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(['not_in_registry']);
    expect(result.warnings[0]?.message).toContain('POST /v1/filing-registry');
    expect(() => assertValidApplication(result)).not.toThrow();
  });

  it('cross-checks with the tenant\'s registry: each mismatch with the registry\'s and the submitted value (422)', async () => {
    // Prepare
    const principal = agency();
    const application = websiteApplication({ domains: ['example.cn'] });
    await importFilingRegistry(deps, principal, {
      rows: [registryRow(application, { subjectName: '示例科技（北京）有限公司', creditCode: OTHER_CREDIT_CODE, websiteName: '示例网' })],
    });

    // Act
    const result = await validateApplication(deps, principal.tenantId, application);

    // Assess
    expect(result.errors).toEqual([
      expect.objectContaining({ path: 'subject.name', code: 'registry_mismatch', registryValue: '示例科技（北京）有限公司', submittedValue: '示例科技有限公司' }),
      expect.objectContaining({ path: 'subject.creditCode', code: 'registry_mismatch', registryValue: OTHER_CREDIT_CODE, submittedValue: CREDIT_CODE }),
      expect.objectContaining({ path: 'websiteName', code: 'registry_mismatch', registryValue: '示例网', submittedValue: '示例网站' }),
    ]);
    expect(result.warnings.map((w) => w.code)).not.toContain('not_in_registry');
    expect(() => assertValidApplication(result)).toThrow(UnprocessableError);
  });

  it('keeps registries apart: another tenant\'s record is not used', async () => {
    // Prepare
    const application = websiteApplication();
    await importFilingRegistry(deps, agency(), { rows: [registryRow(application, { subjectName: '别的公司' })] });

    // Act
    const result = await validateApplication(deps, agency().tenantId, application);

    // Assess
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(['not_in_registry']);
  });

  it('refuses removing only some domains of a website as a change (400)', async () => {
    // Prepare
    const principal = agency();
    const application = websiteApplication({ domains: ['example.cn'] });
    await importFilingRegistry(deps, principal, { rows: [registryRow(application, { domains: 'example.cn example.com' })] });

    // Act
    const result = await validateApplication(deps, principal.tenantId, application);

    // Assess
    expect(codes(result.errors)).toEqual(['domains:partial_domain_removal']);
    expect(result.errors[0]?.message).toContain('example.com');
    expect(() => assertValidApplication(result)).toThrow(ValidationError);
  });

  it('warns that cancelling the last website leaves an empty subject, unless another website is in the registry', async () => {
    // Prepare
    const principal = agency();
    const application = websiteApplication();
    const subject = application.filingNumber.replace(/-1$/, '');
    await importFilingRegistry(deps, principal, { rows: [registryRow(application)] });

    // Act
    const alone = await validateApplication(deps, principal.tenantId, application);
    // A second website of the subject, imported separately: the first record still says it is the only one.
    await importFilingRegistry(deps, principal, {
      rows: [registryRow({ ...application, filingNumber: `${subject}-2`, domains: ['example.net'] })],
    });
    const withSibling = await validateApplication(deps, principal.tenantId, application);

    // Assess
    expect(alone.warnings.map((w) => w.code)).toEqual(['would_leave_empty_subject']);
    expect(alone.warnings[0]?.message).toContain(`cancel_subject with ${subject}`);
    expect(withSibling.warnings).toEqual([]);
  });

  it('warns that cancelling access may leave a shell website', async () => {
    // Prepare
    const principal = agency();
    const application = websiteApplication({ kind: 'cancel_access' });
    await importFilingRegistry(deps, principal, { rows: [registryRow(application, { accessProviders: '阿里云' })] });

    // Act
    const result = await validateApplication(deps, principal.tenantId, application);

    // Assess
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(['would_leave_shell_website']);
  });

  it('checks a subject cancellation against all the subject\'s websites in the registry', async () => {
    // Prepare
    const principal = agency();
    const subject = uniqueSubjectNumber();
    const first = websiteApplication({ filingNumber: `${subject}-1`, domains: ['one.cn'] });
    await importFilingRegistry(deps, principal, {
      rows: [registryRow(first), registryRow({ ...first, filingNumber: `${subject}-2`, domains: ['two.cn'] })],
    });
    const application = websiteApplication({ kind: 'cancel_subject', filingNumber: subject, domains: ['one.cn', 'two.cn', 'three.cn'] });

    // Act
    const result = await validateApplication(deps, principal.tenantId, application);

    // Assess
    expect(result.errors).toEqual([
      expect.objectContaining({ path: 'domains.2', code: 'registry_mismatch', registryValue: ['one.cn', 'two.cn'], submittedValue: 'three.cn' }),
    ]);
  });

  it('checks an individual\'s ID number against the registry', async () => {
    // Prepare
    const principal = agency();
    const application = websiteApplication({ subject: { name: '张三', type: 'individual', idNumber: RESIDENT_ID.toLowerCase() } });
    await importFilingRegistry(deps, principal, { rows: [registryRow(application, { subjectType: '个人', idNumber: RESIDENT_ID })] });

    // Act
    const result = await validateApplication(deps, principal.tenantId, application);

    // Assess
    expect(result).toMatchObject({ errors: [], input: { subject: { idNumber: RESIDENT_ID } } });
    expect(result.warnings.map((w) => w.code)).toEqual(['would_leave_empty_subject']);
  });
});
