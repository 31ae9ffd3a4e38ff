import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CREDIT_CODE_CHARSET,
  creditCodeCheckCharacter,
  parseCreditCode,
} from '../../../../shared/domain/identifiers/index.ts';
import { creditCode, pastedVariant, singleCharacterMutations } from './arbitraries.ts';

// Codes published on the companies' business licences (国家企业信用信息公示系统); each passes both check characters,
// which a wrong weight table would not.
const REAL_CODES = [
  ['阿里巴巴（中国）有限公司', '91330100716105852F', '71610585-2'],
  ['深圳市腾讯计算机系统有限公司', '91440300708461136T', '70846113-6'],
  ['华为技术有限公司', '914403001922038216', '19220382-1'],
  ['北京百度网讯科技有限公司', '91110000802100433B', '80210043-3'],
  ['小米科技有限责任公司', '91110108551385082Q', '55138508-2'],
] as const;

describe('parseCreditCode', () => {
  it.each(REAL_CODES)('accepts the real code of %s', (_name, code, organisationCode) => {
    // Act
    const result = parseCreditCode(code, 'subject.creditCode');

    // Assess
    expect(result).toEqual({ ok: true, value: code, parts: expect.objectContaining({ organisationCode }) });
  });

  it('uses the weights of GB 32100-2015 (3^i mod 31)', () => {
    // Prepare
    const weights = Array.from({ length: 17 }, (_, i) => 3 ** i % 31);

    // Act
    const huawei = '91440300192203821';
    const sum = [...huawei].reduce((acc, c, i) => acc + CREDIT_CODE_CHARSET.indexOf(c) * (weights[i] ?? 0), 0);

    // Assess
    expect(CREDIT_CODE_CHARSET[(31 - (sum % 31)) % 31]).toBe('6');
    expect(creditCodeCheckCharacter(huawei)).toBe('6');
  });

  it('accepts every generated valid code', () => {
    fc.assert(
      fc.property(creditCode, (code) => {
        // Act
        const result = parseCreditCode(code, 'p');

        // Assess
        expect(result).toMatchObject({ ok: true, value: code });
      }),
    );
  });

  it('refuses every single-character mutation of a valid code', () => {
    fc.assert(
      fc.property(creditCode, (code) => {
        // Act
        const accepted = singleCharacterMutations(code, CREDIT_CODE_CHARSET).filter((m) => parseCreditCode(m, 'p').ok);

        // Assess
        expect(accepted).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });

  it('normalises what people paste to the canonical form', () => {
    fc.assert(
      fc.property(creditCode.chain((code) => fc.tuple(fc.constant(code), pastedVariant(code))), ([code, pasted]) => {
        // Act
        const result = parseCreditCode(pasted, 'p');

        // Assess
        expect(result).toMatchObject({ ok: true, value: code });
      }),
    );
  });

  it.each([
    ['', 'required'],
    ['9144030019220382', 'invalid_length'],
    ['19220382-1', 'organisation_code_given'],
    ['440301103097413', 'legacy_registration_number'],
    ['91440300I922038216', 'invalid_character'],
    ['91440A00192203821X', 'invalid_area_code'],
    ['914403001922038217', 'invalid_check_character'],
  ])('refuses %j with %s', (input, code) => {
    // Act
    const result = parseCreditCode(input, 'subject.creditCode');

    // Assess
    expect(result).toEqual({ ok: false, errors: [{ path: 'subject.creditCode', code, message: expect.any(String) }] });
  });

  it('suggests the look-alike digit for a letter that never occurs', () => {
    // Act
    const result = parseCreditCode('9144O3001922038216', 'p');

    // Assess
    expect(result.ok ? '' : result.errors[0]?.message).toContain('did you mean 0?');
  });

  it('checks the embedded organisation code unless told not to', () => {
    // Prepare: a code whose overall check character is right but whose organisation code check digit is not.
    const first17 = '91440300192203820';
    const code = `${first17}${creditCodeCheckCharacter(first17)}`;

    // Act
    const strict = parseCreditCode(code, 'p');
    const lenient = parseCreditCode(code, 'p', { checkOrganisationCode: false });

    // Assess
    expect(strict).toMatchObject({ ok: false, errors: [{ code: 'invalid_organisation_code' }] });
    expect(lenient).toMatchObject({ ok: true, value: code });
  });
});
