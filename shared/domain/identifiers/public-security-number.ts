import { normalizePasted } from './normalize-pasted.ts';
import { fail, type ParseResult } from './parse-result.ts';
import { checkProvince } from './provinces.ts';

/**
 * Public-security filing numbers (公安备案号) `<province>公网安备<14 digits>号`, e.g. `京公网安备11000002000001号`.
 * The first 6 digits look like an administrative area code; that is observed, not specified, so it is reported but
 * not enforced.
 */

export interface PublicSecurityNumberParts {
  province: string;
  region: string;
  digits: string;
  /** First 6 digits (observed to be the area code of the police bureau). */
  areaCode: string;
}

const EXAMPLE = '京公网安备11000002000001号';

/** Parse a public-security filing number into its canonical form. */
export function parsePublicSecurityNumber(input: string, path: string): ParseResult<PublicSecurityNumberParts> {
  const s = normalizePasted(input);
  if (s === '') return fail(path, 'required', `Enter the public-security filing number (公安备案号), e.g. ${EXAMPLE}.`);
  if (s.includes('ICP')) {
    return fail(
      path,
      'icp_number_given',
      `This is an ICP number, not a public-security filing number (公网安备号); the latter looks like ${EXAMPLE}.`,
    );
  }
  const marker = s.indexOf('公网安备');
  if (marker < 0) {
    return fail(path, 'missing_marker', `A public-security filing number contains "公网安备" and 14 digits, e.g. ${EXAMPLE}.`);
  }
  const first = s.slice(0, marker);
  const province = checkProvince(first, 'A public-security filing number', EXAMPLE);
  if (!province.ok) return fail(path, province.code, province.message);
  const match = /^(\d*)(号?)(.*)$/u.exec(s.slice(marker + '公网安备'.length));
  if (!match) return fail(path, 'invalid_format', `The number should look like ${EXAMPLE}.`);
  const [, digits = '', hao, extra] = match;
  if (digits.length !== 14) {
    return fail(
      path,
      'invalid_digit_count',
      `A public-security filing number has 14 digits between "公网安备" and "号"; found ${digits.length}. Check for a missing or extra digit.`,
    );
  }
  if (extra) return fail(path, 'unexpected_characters', `Unexpected "${extra}" after the number; it ends with "号".`);
  if (!hao) return fail(path, 'missing_hao', `The digits must be followed by "号": write ${first}公网安备${digits}号.`);
  return {
    ok: true,
    value: `${first}公网安备${digits}号`,
    parts: { province: first, region: province.province.region, digits, areaCode: digits.slice(0, 6) },
  };
}
