import { describe, expect, it } from 'vitest';
import { parsePublicSecurityNumber } from '../../../../shared/domain/identifiers/index.ts';

describe('parsePublicSecurityNumber', () => {
  it('accepts a number and normalises a paste', () => {
    // Act
    const result = parsePublicSecurityNumber('京公网安备 １１０１０８０２０２００８８ 号', 'publicSecurityNumber');

    // Assess
    expect(result).toEqual({
      ok: true,
      value: '京公网安备11010802020088号',
      parts: { province: '京', region: 'BJ', digits: '11010802020088', areaCode: '110108' },
    });
  });

  it.each([
    ['', 'required'],
    ['京ICP备10046444号', 'icp_number_given'],
    ['11010802020088号', 'missing_marker'],
    ['公网安备11010802020088号', 'missing_province'],
    ['台公网安备11010802020088号', 'province_not_in_scope'],
    ['京公网安备1101080202008号', 'invalid_digit_count'],
    ['京公网安备11010802020088', 'missing_hao'],
    ['京公网安备11010802020088号。', 'unexpected_characters'],
  ])('refuses %j with %s', (input, code) => {
    // Act
    const result = parsePublicSecurityNumber(input, 'p');

    // Assess
    expect(result).toEqual({ ok: false, errors: [{ path: 'p', code, message: expect.any(String) }] });
  });
});
