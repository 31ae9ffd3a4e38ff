import fc from 'fast-check';
import {
  CREDIT_CODE_CHARSET,
  creditCodeCheckCharacter,
  organisationCodeCheckCharacter,
  PROVINCES,
  residentIdCheckCharacter,
} from '../../../../shared/domain/identifiers/index.ts';

/** Generators of valid identifiers, built from the rules themselves so that every generated value must parse. */

export const TODAY = '2026-05-01';

const digitString = (length: number) =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength: length, maxLength: length }).map((d) => d.join(''));
const fromCharset = (charset: string, length: number) =>
  fc.array(fc.constantFrom(...charset), { minLength: length, maxLength: length }).map((d) => d.join(''));

export const province = fc.constantFrom(...PROVINCES.keys());

export const creditCode = fc
  .tuple(fromCharset(CREDIT_CODE_CHARSET, 2), digitString(6), fromCharset(CREDIT_CODE_CHARSET, 8))
  .map(([head, area, body]) => {
    const first17 = `${head}${area}${body}${organisationCodeCheckCharacter(body)}`;
    return `${first17}${creditCodeCheckCharacter(first17)}`;
  });

export const birthDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date(`${TODAY}T00:00:00Z`), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10).replaceAll('-', ''));

export const residentId = fc.tuple(digitString(6), birthDate, digitString(3)).map(([area, birth, seq]) => {
  const first17 = `${area}${birth}${seq}`;
  return `${first17}${residentIdCheckCharacter(first17)}`;
});

const filingDigits = fc.oneof(
  digitString(6),
  fc.tuple(fc.integer({ min: 0, max: 26 }), digitString(6)).map(([yy, seq]) => `${String(yy).padStart(2, '0')}${seq}`),
  fc.tuple(fc.integer({ min: 2000, max: 2026 }), digitString(6)).map(([yyyy, seq]) => `${yyyy}${seq}`),
);

export const filingNumber = fc
  .tuple(province, filingDigits, fc.option(fc.integer({ min: 1, max: 9999 }), { nil: undefined }), fc.constantFrom('', 'A', 'X'))
  .map(([p, digits, index, letter]) =>
    index === undefined ? `${p}ICP备${digits}号` : `${p}ICP备${digits}号-${index}${letter}`,
  );

/** Every way of changing one character of `value` to another character of `charset`. */
export function singleCharacterMutations(value: string, charset: string): string[] {
  const mutations: string[] = [];
  for (let i = 0; i < value.length; i++) {
    for (const c of charset) if (c !== value[i]) mutations.push(`${value.slice(0, i)}${c}${value.slice(i + 1)}`);
  }
  return mutations;
}

/** Re-type an identifier the way people paste it: full-width ASCII, spaces, lower case, other dashes. */
export const pastedVariant = (value: string) =>
  fc
    .tuple(fc.boolean(), fc.boolean(), fc.boolean(), fc.constantFrom('-', '－', '‐', '‑', '‒', '–', '—', '﹣'), fc.constantFrom(' ', '\u3000', '\u00a0', '\t'))
    .map(([fullWidth, lower, padded, dash, space]) => {
      let s = value.replaceAll('-', dash);
      if (lower) s = s.toLowerCase();
      if (fullWidth) s = s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
      return padded ? `${space}${s.slice(0, 3)}${space}${s.slice(3)}${space}` : s;
    });
