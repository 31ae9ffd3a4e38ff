import { describe, expect, it } from 'vitest';
import { parseLicenceNumber } from '../../../../shared/domain/identifiers/index.ts';

const options = { today: '2026-05-01' };

describe('parseLicenceNumber', () => {
  it.each([
    ['浙B2-20080224', '浙B2-20080224', { form: 'provincial', province: '浙', region: 'ZJ', year: 2008 }],
    ['B2-20233776', 'B2-20233776', { form: 'cross_region', year: 2023 }],
    ['京ICP证030173号', '京ICP证030173号', { form: 'legacy', province: '京' }],
    ['浙b2－２００８０２２４', '浙B2-20080224', { form: 'provincial' }],
    [' 京ICP證 030173號 ', '京ICP证030173号', { form: 'legacy' }],
    ['川B2-20120001', '川B2-20120001', { region: 'SC' }],
  ])('accepts %j as %s', (input, value, parts) => {
    // Act
    const result = parseLicenceNumber(input, 'filingNumber', options);

    // Assess
    expect(result).toMatchObject({ ok: true, value, parts });
  });

  it.each([
    ['', 'required'],
    ['京ICP备10046444号', 'filing_number_given'],
    ['港B2-20080224', 'province_not_in_scope'],
    ['浙江B2-20080224', 'province_name_not_abbreviation'],
    ['浙B1-20080224', 'not_icp_licence'],
    ['浙B2-2008022', 'invalid_digit_count'],
    ['浙B220080224', 'missing_hyphen'],
    ['浙B2-19980224', 'implausible_year'],
    ['浙B2-20270224', 'implausible_year'],
    ['ICP证030173号', 'missing_province'],
    ['京ICP证03017号', 'invalid_digit_count'],
    ['京ICP证030173', 'missing_hao'],
    ['ICP license', 'invalid_format'],
  ])('refuses %j with %s', (input, code) => {
    // Act
    const result = parseLicenceNumber(input, 'filingNumber', options);

    // Assess
    expect(result).toEqual({ ok: false, errors: [{ path: 'filingNumber', code, message: expect.any(String) }] });
  });
});
