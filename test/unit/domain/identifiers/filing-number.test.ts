import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  filingKindOf,
  isSubjectFilingNumber,
  isWebsiteFilingNumber,
  parseFilingNumber,
  subjectNumberOf,
} from '../../../../shared/domain/identifiers/index.ts';
import { filingNumber, pastedVariant, TODAY } from './arbitraries.ts';

const options = { today: TODAY };

describe('parseFilingNumber', () => {
  it.each([
    ['京ICP备10046444号', 'subject', { year: 2010, sequence: '046444' }],
    ['京ICP备10046444号-9', 'website', { websiteIndex: 9, subjectNumber: '京ICP备10046444号' }],
    ['冀ICP备2022016663号-4A', 'app', { year: 2022, websiteIndex: 4, subjectNumber: '冀ICP备2022016663号' }],
    ['粤ICP备2021012345号-3X', 'mini_program', { websiteIndex: 3 }],
    ['京ICP备030173号', 'subject', { sequence: '030173' }],
    ['蜀ICP备2021001234号-1', 'website', { province: '蜀', region: 'SC' }],
    ['川ICP备2021001234号-1', 'website', { province: '川', region: 'SC' }],
    ['黔ICP备2021001234号', 'subject', { region: 'GZ' }],
    ['贵ICP备2021001234号', 'subject', { region: 'GZ' }],
    ['滇ICP备2021001234号', 'subject', { region: 'YN' }],
    ['云ICP备2021001234号', 'subject', { region: 'YN' }],
    ['陇ICP备2021001234号', 'subject', { region: 'GS' }],
    ['甘ICP备2021001234号', 'subject', { region: 'GS' }],
  ])('accepts %s as a %s number', (input, kind, parts) => {
    // Act
    const result = parseFilingNumber(input, 'filingNumber', options);

    // Assess
    expect(result).toMatchObject({ ok: true, value: input, parts: { kind, ...parts } });
  });

  it('normalises a messy paste to the canonical form', () => {
    // Act
    const result = parseFilingNumber(' 京icp備 １００４６４４４號－９\u3000', 'filingNumber', options);

    // Assess
    expect(result).toMatchObject({ ok: true, value: '京ICP备10046444号-9' });
  });

  it('accepts every generated valid number, however it is pasted', () => {
    fc.assert(
      fc.property(filingNumber.chain((n) => fc.tuple(fc.constant(n), pastedVariant(n))), ([number, pasted]) => {
        // Act
        const result = parseFilingNumber(pasted, 'p', options);

        // Assess
        expect(result).toMatchObject({ ok: true, value: number });
      }),
    );
  });

  it('derives the subject number of any valid number by dropping the suffix', () => {
    fc.assert(
      fc.property(filingNumber, (number) => {
        // Act
        const subject = subjectNumberOf(number, options);

        // Assess
        expect(subject).toBe(number.replace(/-\d+[AX]?$/, ''));
        expect(isSubjectFilingNumber(subject ?? '', options)).toBe(true);
      }),
    );
  });

  it.each([
    ['', 'required'],
    ['港ICP备12345678号', 'province_not_in_scope'],
    ['澳ICP备12345678号', 'province_not_in_scope'],
    ['台ICP备12345678号', 'province_not_in_scope'],
    ['华ICP备12345678号', 'unknown_province'],
    ['浙江ICP备12345678号', 'province_name_not_abbreviation'],
    ['ICP备12345678号', 'missing_province'],
    ['京ICP12345678号', 'missing_icp_marker'],
    ['京备12345678号', 'missing_icp_marker'],
    ['京ICP证030173号', 'licence_number_given'],
    ['浙B2-20080224', 'licence_number_given'],
    ['京公网安备11010802020088号', 'public_security_number_given'],
    ['www.example.com', 'not_a_filing_number'],
    ['京ICP备号', 'missing_digits'],
    ['京ICP备1004644号', 'invalid_digit_count'],
    ['京ICP备10046444', 'missing_hao'],
    ['京ICP备10046444-9', 'missing_hao'],
    ['京ICP备10046444号-0', 'invalid_website_index'],
    ['京ICP备10046444号-09', 'invalid_website_index'],
    ['京ICP备10046444号-', 'invalid_website_index'],
    ['京ICP备10046444号A', 'missing_website_index'],
    ['京ICP备10046444号-9B', 'unexpected_characters'],
    ['京ICP备10046444号-9 (主站)', 'unexpected_characters'],
    ['京ICP备2027016663号', 'implausible_year'],
    ['京ICP备1999016663号', 'implausible_year'],
    ['京ICP备27016663号', 'implausible_year'],
  ])('refuses %j with %s', (input, code) => {
    // Act
    const result = parseFilingNumber(input, 'filingNumber', options);

    // Assess
    expect(result).toEqual({ ok: false, errors: [{ path: 'filingNumber', code, message: expect.any(String) }] });
  });

  it('tells the fix in the message', () => {
    // Act
    const result = parseFilingNumber('京ICP备10046444-9', 'filingNumber', options);

    // Assess
    expect(result.ok ? '' : result.errors[0]?.message).toContain('京ICP备10046444号-9');
  });
});

describe('filing number helpers', () => {
  it('tell subject numbers from website numbers', () => {
    // Act
    const kinds = ['京ICP备10046444号', '京ICP备10046444号-9', '冀ICP备2022016663号-4A', 'nonsense'].map((n) => filingKindOf(n, options));

    // Assess
    expect(kinds).toEqual(['subject', 'website', 'app', undefined]);
    expect(isWebsiteFilingNumber('京ICP备10046444号-9', options)).toBe(true);
    expect(isWebsiteFilingNumber('京ICP备10046444号', options)).toBe(false);
    expect(subjectNumberOf('not a number', options)).toBeUndefined();
  });
});
