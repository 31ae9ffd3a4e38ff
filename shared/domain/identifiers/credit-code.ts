import { normalizePasted } from './normalize-pasted.ts';
import { fail, type ParseResult } from './parse-result.ts';

/**
 * Unified social credit codes (统一社会信用代码), GB 32100-2015.
 *
 * 18 characters from the 31-character set `0-9 A-H J-N P-R T U W-Y` (I O S V Z are never used, so they cannot be
 * mistaken for 1 0 5 U 2):
 *   1 registration authority (登记管理部门码) · 2 organisation category (机构类别码) ·
 *   3–8 administrative area (登记管理机关行政区划码, digits) · 9–17 organisation code (主体标识码, GB 11714) ·
 *   18 check character (校验码).
 * The weights are 3^i mod 31 as listed in the standard; public code that uses other weights (there is some) accepts
 * wrong codes and refuses real ones, hence the tests against real companies' codes.
 */

export const CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
export const ORGANISATION_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

export interface CreditCodeParts {
  registrationAuthority: string;
  category: string;
  areaCode: string;
  /** The embedded organisation code written the usual way, `XXXXXXXX-X`. */
  organisationCode: string;
  checkCharacter: string;
}

export interface CreditCodeOptions {
  /**
   * Also verify the embedded organisation code's own check digit (GB 11714). On by default (the strict reading);
   * a setting in case a real code turns up whose 主体标识码 does not follow GB 11714.
   */
  checkOrganisationCode?: boolean;
}

/** The check character for the first 17 characters of a credit code (which must be from the charset). */
export function creditCodeCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CODE_CHARSET.indexOf(first17.charAt(i)) * (CREDIT_CODE_WEIGHTS[i] ?? 0);
  return CREDIT_CODE_CHARSET.charAt((31 - (sum % 31)) % 31);
}

/** The GB 11714 check character for the 8-character body of an organisation code (digits and A–Z). */
export function organisationCodeCheckCharacter(body8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number.parseInt(body8.charAt(i), 36) * (ORGANISATION_CODE_WEIGHTS[i] ?? 0);
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

const LOOKALIKES: Readonly<Record<string, string>> = { I: '1', O: '0', S: '5', V: 'U', Z: '2' };

/**
 * Parse a unified social credit code; lower case, full-width characters and spaces are tolerated and the canonical
 * upper-case form is returned.
 */
export function parseCreditCode(input: string, path: string, options: CreditCodeOptions = {}): ParseResult<CreditCodeParts> {
  const s = normalizePasted(input);
  if (s === '') return fail(path, 'required', 'Enter the 18-character unified social credit code (统一社会信用代码) from the business licence.');
  if (/^[0-9A-Z]{8}-?[0-9X]$/.test(s)) {
    return fail(
      path,
      'organisation_code_given',
      'This is a 9-character organisation code (组织机构代码), not the unified social credit code; enter the 18-character code (统一社会信用代码) printed on the current business licence.',
    );
  }
  if (/^\d{15}$/.test(s)) {
    return fail(
      path,
      'legacy_registration_number',
      'This is an old 15-digit business registration number (注册号); enter the 18-character unified social credit code (统一社会信用代码) printed on the current business licence.',
    );
  }
  if (s.length !== 18) {
    return fail(path, 'invalid_length', `A unified social credit code has 18 characters; this one has ${s.length}. Check for a missing or extra character.`);
  }
  const bad = [...s].map((c, i) => ({ c, i })).filter(({ c }) => !CREDIT_CODE_CHARSET.includes(c));
  if (bad.length > 0) {
    const list = bad.map(({ c, i }) => `"${c}" at position ${i + 1}${LOOKALIKES[c] ? ` (did you mean ${LOOKALIKES[c]}?)` : ''}`);
    return fail(
      path,
      'invalid_character',
      `${list.join(', ')} cannot occur: credit codes use only digits and the letters A–H J–N P–R T U W–Y (never I O S V Z).`,
    );
  }
  if (!/^\d{6}$/.test(s.slice(2, 8))) {
    return fail(path, 'invalid_area_code', 'Characters 3–8 are the area code (行政区划码) and must be digits; check the code against the business licence.');
  }
  if (creditCodeCheckCharacter(s.slice(0, 17)) !== s.charAt(17)) {
    return fail(
      path,
      'invalid_check_character',
      'The last character (校验码) does not match the first 17: one of the 18 characters is mistyped (often two swapped, or 0/D, 8/B, 1/7 confused). Compare the code with the business licence character by character.',
    );
  }
  const organisationCode = s.slice(8, 17);
  if (options.checkOrganisationCode !== false && organisationCodeCheckCharacter(organisationCode.slice(0, 8)) !== organisationCode.charAt(8)) {
    return fail(
      path,
      'invalid_organisation_code',
      'Characters 9–17 (the organisation code, 组织机构代码) fail their own check digit, so the code cannot be genuine; compare it with the business licence.',
    );
  }
  return {
    ok: true,
    value: s,
    parts: {
      registrationAuthority: s.charAt(0),
      category: s.charAt(1),
      areaCode: s.slice(2, 8),
      organisationCode: `${organisationCode.slice(0, 8)}-${organisationCode.charAt(8)}`,
      checkCharacter: s.charAt(17),
    },
  };
}
