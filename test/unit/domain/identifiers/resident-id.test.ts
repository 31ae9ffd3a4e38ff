import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseResidentId, residentIdCheckCharacter } from '../../../../shared/domain/identifiers/index.ts';
import { pastedVariant, residentId, singleCharacterMutations, TODAY } from './arbitraries.ts';

describe('parseResidentId', () => {
  it('accepts the example of GB 11643-1999 and upper-cases its x', () => {
    // Act
    const result = parseResidentId('11010519491231002x', 'subject.idNumber', { today: TODAY });

    // Assess
    expect(result).toEqual({
      ok: true,
      value: '11010519491231002X',
      parts: { areaCode: '110105', birthDate: '1949-12-31', sequenceCode: '002', checkCharacter: 'X' },
    });
  });

  it('refuses the standard\'s other example only for its birth year 1880, its check character being right', () => {
    // Act
    const result = parseResidentId('440524188001010014', 'p', { today: TODAY });

    // Assess
    expect(residentIdCheckCharacter('44052418800101001')).toBe('4');
    expect(result).toMatchObject({ ok: false, errors: [{ code: 'birth_date_out_of_range' }] });
  });

  it('accepts every generated valid number', () => {
    fc.assert(
      fc.property(residentId, (id) => {
        // Act
        const result = parseResidentId(id, 'p', { today: TODAY });

        // Assess
        expect(result).toMatchObject({ ok: true, value: id });
      }),
    );
  });

  it('refuses every single-character mutation of a valid number', () => {
    fc.assert(
      fc.property(residentId, (id) => {
        // Act
        const accepted = singleCharacterMutations(id, '0123456789X').filter((m) => parseResidentId(m, 'p', { today: TODAY }).ok);

        // Assess
        expect(accepted).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });

  it('normalises what people paste', () => {
    fc.assert(
      fc.property(residentId.chain((id) => fc.tuple(fc.constant(id), pastedVariant(id))), ([id, pasted]) => {
        // Act
        const result = parseResidentId(pasted, 'p', { today: TODAY });

        // Assess
        expect(result).toMatchObject({ ok: true, value: id });
      }),
    );
  });

  it.each([
    ['', 'required'],
    ['110105491231002', 'legacy_15_digit_id'],
    ['1101051949123100', 'invalid_length'],
    ['11010519491231002Y', 'invalid_character'],
    ['110105194902300020', 'invalid_birth_date'],
    [`110105${'20260502'}0010`, 'birth_date_out_of_range'],
    ['110105194912310021', 'invalid_check_character'],
  ])('refuses %j with %s', (input, code) => {
    // Act
    const result = parseResidentId(input, 'subject.idNumber', { today: TODAY });

    // Assess
    expect(result).toEqual({ ok: false, errors: [{ path: 'subject.idNumber', code, message: expect.any(String) }] });
  });
});
