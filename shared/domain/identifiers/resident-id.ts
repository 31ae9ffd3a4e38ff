import { chinaToday, isRealDate } from '../calendar/china-date.ts';
import { normalizePasted } from './normalize-pasted.ts';
import { type DateOptions, fail, type ParseResult } from './parse-result.ts';

/**
 * Resident identity card numbers (居民身份证号码), GB 11643-1999: 6-digit area code, 8-digit birth date, 3-digit
 * sequence, check character (0-9 or X, ISO 7064 MOD 11-2).
 */

export const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';
const EARLIEST_BIRTH_DATE = '1900-01-01';

export interface ResidentIdParts {
  areaCode: string;
  /** `YYYY-MM-DD`. */
  birthDate: string;
  sequenceCode: string;
  checkCharacter: string;
}

/** The check character for the first 17 digits of a resident ID number. */
export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17.charAt(i)) * (RESIDENT_ID_WEIGHTS[i] ?? 0);
  return CHECK_CHARACTERS.charAt(sum % 11);
}

/**
 * Parse an 18-character resident ID number; spaces and full-width digits are tolerated and a lower-case `x` becomes
 * `X`. The birth date must be a real date, not before 1900 and not after today (China time).
 */
export function parseResidentId(input: string, path: string, options: DateOptions = {}): ParseResult<ResidentIdParts> {
  const s = normalizePasted(input);
  if (s === '') return fail(path, 'required', 'Enter the 18-character resident ID number (居民身份证号码).');
  if (/^\d{15}$/.test(s)) {
    return fail(
      path,
      'legacy_15_digit_id',
      'This is a first-generation 15-digit ID number, no longer valid since 2013; enter the 18-character number on the current ID card (第二代居民身份证).',
    );
  }
  if (s.length !== 18) {
    return fail(path, 'invalid_length', `A resident ID number has 18 characters; this one has ${s.length}. Check for a missing or extra digit.`);
  }
  if (!/^\d{17}[\dX]$/.test(s)) {
    return fail(path, 'invalid_character', 'A resident ID number is 17 digits followed by a digit or X; remove any other characters.');
  }
  const [year, month, day] = [s.slice(6, 10), s.slice(10, 12), s.slice(12, 14)];
  if (!isRealDate(Number(year), Number(month), Number(day))) {
    return fail(
      path,
      'invalid_birth_date',
      `Digits 7–14 are the birth date (YYYYMMDD) and ${year}${month}${day} is not a real date; check those digits.`,
    );
  }
  const birthDate = `${year}-${month}-${day}`;
  const today = options.today ?? chinaToday();
  if (birthDate < EARLIEST_BIRTH_DATE || birthDate > today) {
    return fail(
      path,
      'birth_date_out_of_range',
      `Digits 7–14 give the birth date ${birthDate}, which is ${birthDate > today ? 'in the future' : 'before 1900'}; check those digits.`,
    );
  }
  if (residentIdCheckCharacter(s.slice(0, 17)) !== s.charAt(17)) {
    return fail(
      path,
      'invalid_check_character',
      'The last character (校验码) does not match the first 17 digits: one of the 18 is mistyped (often two swapped digits). Compare the number with the ID card digit by digit.',
    );
  }
  return {
    ok: true,
    value: s,
    parts: { areaCode: s.slice(0, 6), birthDate, sequenceCode: s.slice(14, 17), checkCharacter: s.charAt(17) },
  };
}
