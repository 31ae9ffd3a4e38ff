import { describe, expect, it } from 'vitest';
import type { ApplicationInput } from '../../../shared/domain/application.ts';
import { RegistryRecord } from '../../../shared/domain/filing-registry.ts';
import { checkKindRules } from '../../../shared/domain/kind-rules.ts';

const options = { today: '2026-05-01' };

const website: ApplicationInput = {
  kind: 'cancel_website',
  filingNumber: '京ICP备10046444号-9',
  websiteName: '示例网',
  domains: ['example.com', 'example.cn'],
  subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: '91110000802100433B' },
  reason: 'business_change',
  siteState: { state: 'closed', since: '2026-01-05' },
};

const record = RegistryRecord.parse({
  filingNumber: '京ICP备10046444号-9',
  subjectFilingNumber: '京ICP备10046444号',
  subjectName: '示例科技有限公司',
  subjectType: 'enterprise',
  domains: ['example.com', 'example.cn', 'example.net'],
});

const codes = (result: { errors: { code: string }[]; warnings: { code: string }[] }) => ({
  errors: result.errors.map((e) => e.code),
  warnings: result.warnings.map((w) => w.code),
});

describe('checkKindRules: the number each kind takes', () => {
  it.each([
    ['cancel_subject', '京ICP备10046444号'],
    ['cancel_website', '京ICP备10046444号-9'],
    ['cancel_access', '京ICP备10046444号-9'],
    ['cancel_licence', '浙B2-20080224'],
    ['cancel_licence', 'B2-20233776'],
    ['cancel_licence', '京ICP证030173号'],
  ] as const)('%s accepts %s', (kind, filingNumber) => {
    // Act
    const result = checkKindRules({ ...website, kind, filingNumber }, undefined, options);

    // Assess
    expect(result).toEqual({ errors: [], warnings: [] });
  });

  it.each([
    ['cancel_subject', '京ICP备10046444号-9', 'subject_number_required'],
    ['cancel_website', '京ICP备10046444号', 'website_number_required'],
    ['cancel_access', '京ICP备10046444号', 'website_number_required'],
    ['cancel_website', '冀ICP备2022016663号-4A', 'unsupported_service_type'],
    ['cancel_access', '粤ICP备2021012345号-3X', 'unsupported_service_type'],
    ['cancel_licence', '京ICP备10046444号', 'filing_number_given'],
    ['cancel_website', '浙B2-20080224', 'licence_number_given'],
    ['cancel_website', '港ICP备10046444号-1', 'province_not_in_scope'],
  ] as const)('%s refuses %s with %s', (kind, filingNumber, code) => {
    // Act
    const result = checkKindRules({ ...website, kind, filingNumber }, undefined, options);

    // Assess
    expect(result.errors).toEqual([{ path: 'filingNumber', code, message: expect.any(String) }]);
  });

  it('tells a subject cancellation which number to use', () => {
    // Act
    const result = checkKindRules({ ...website, kind: 'cancel_subject' }, undefined, options);

    // Assess
    expect(result.errors[0]?.message).toContain('京ICP备10046444号.');
  });
});

describe('checkKindRules: subject and reason', () => {
  it.each([
    ['an organisation without credit code', { subject: { name: 'x', type: 'enterprise' } }, ['credit_code_required']],
    ['a person without ID number', { subject: { name: '张三', type: 'individual' } }, ['id_number_required']],
    [
      'a licence held by a person',
      { kind: 'cancel_licence', filingNumber: '浙B2-20080224', subject: { name: '张三', type: 'individual', idNumber: '11010519491231002X' } },
      ['licence_requires_organisation'],
    ],
    [
      'a dissolved person',
      { reason: 'company_dissolved', subject: { name: '张三', type: 'individual', idNumber: '11010519491231002X' } },
      ['reason_not_for_individual'],
    ],
    ['a migration reason for a closed site', { reason: 'website_migrated' }, ['reason_site_state_mismatch']],
    ['a domain listed twice', { domains: ['example.com', 'EXAMPLE.com.'] }, ['duplicate_domain']],
  ] as const)('refuses %s', (_what, change, expected) => {
    // Act
    const result = checkKindRules({ ...website, ...change } as ApplicationInput, undefined, options);

    // Assess
    expect(codes(result)).toEqual({ errors: expected, warnings: [] });
  });

  it('warns that a dissolved company keeps its subject when only a website is cancelled', () => {
    // Act
    const result = checkKindRules({ ...website, reason: 'company_dissolved' }, undefined, options);

    // Assess
    expect(codes(result)).toEqual({ errors: [], warnings: ['dissolved_company_keeps_subject'] });
  });
});

describe('checkKindRules: with the registry record', () => {
  it('refuses removing only some of a website\'s domains as a change, not a cancellation', () => {
    // Act
    const result = checkKindRules(website, record, options);

    // Assess
    expect(result.errors).toEqual([
      { path: 'domains', code: 'partial_domain_removal', message: expect.stringContaining('example.net') },
    ]);
    expect(result.errors[0]?.message).toContain('变更');
  });

  it('accepts all the domains, however written', () => {
    // Act
    const result = checkKindRules({ ...website, domains: ['EXAMPLE.com', 'example.cn.', 'example.net'] }, record, options);

    // Assess
    expect(result.errors).toEqual([]);
  });

  it('warns when cancel_website would leave an empty subject, and suggests cancel_subject', () => {
    // Act
    const result = checkKindRules(
      { ...website, domains: ['example.com', 'example.cn', 'example.net'] },
      { ...record, otherWebsites: [] },
      options,
    );

    // Assess
    expect(codes(result)).toEqual({ errors: [], warnings: ['would_leave_empty_subject'] });
    expect(result.warnings[0]?.message).toContain('cancel_subject with 京ICP备10046444号');
  });

  it('does not warn when the subject keeps another website, or when that is unknown', () => {
    // Prepare
    const all = { ...website, domains: ['example.com', 'example.cn', 'example.net'] };

    // Act
    const withSibling = checkKindRules(all, { ...record, otherWebsites: [{ filingNumber: '京ICP备10046444号-10' }] }, options);
    const unknown = checkKindRules(all, record, options);

    // Assess
    expect(withSibling.warnings).toEqual([]);
    expect(unknown.warnings).toEqual([]);
  });

  it.each([
    ['only one provider', ['阿里云'], ['would_leave_shell_website']],
    ['providers unknown', undefined, ['would_leave_shell_website']],
    ['another provider left', ['阿里云', '腾讯云'], []],
  ] as const)('cancel_access with %s', (_what, accessProviders, expected) => {
    // Act
    const result = checkKindRules(
      { ...website, kind: 'cancel_access', domains: ['example.com', 'example.cn', 'example.net'] },
      { ...record, ...(accessProviders ? { accessProviders: [...accessProviders] } : {}) },
      options,
    );

    // Assess
    expect(codes(result)).toEqual({ errors: [], warnings: expected });
  });

  it('leaves a record of another filing to the cross-check', () => {
    // Act
    const result = checkKindRules({ ...website, filingNumber: '京ICP备10046444号-8' }, { ...record, otherWebsites: [] }, options);

    // Assess
    expect(result).toEqual({ errors: [], warnings: [] });
  });
});
