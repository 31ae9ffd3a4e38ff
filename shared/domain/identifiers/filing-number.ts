import * as z from '../../zod.ts';
import { chinaToday } from '../calendar/china-date.ts';
import { normalizePasted } from './normalize-pasted.ts';
import { type DateOptions, fail, type ParseResult } from './parse-result.ts';
import { checkProvince } from './provinces.ts';

/**
 * ICP filing numbers (ICP备案号): `<province>ICP备<digits>号[-<n>][A|X]`.
 *
 * - digits: 6 (the earliest filings), 8 (2-digit year + 6-digit sequence) or 10 (4-digit year + sequence);
 * - no suffix: the subject's (主体) own number; `-n`: its n-th website (网站);
 * - `-nA`: an App filing, `-nX`: a mini-program (小程序) filing; both always carry the `-n` of the service.
 */

export const FilingKind = z.enum(['subject', 'website', 'app', 'mini_program']);
export type FilingKind = z.infer<typeof FilingKind>;

export interface FilingNumberParts {
  province: string;
  /** ISO 3166-2:CN region of the province (川 and 蜀 are both `SC`). */
  region: string;
  digits: string;
  /** Year of the filing for 8- and 10-digit numbers. */
  year?: number;
  sequence: string;
  /** The `n` of `-n`: which website (or App / mini-program) of the subject. */
  websiteIndex?: number;
  kind: FilingKind;
  /** The subject's number: the number itself for a subject, the number without `-n` and letter otherwise. */
  subjectNumber: string;
}

const EXAMPLE = '京ICP备10046444号-9';
const LETTER_KIND = { A: 'app', X: 'mini_program' } as const;

/**
 * Parse an ICP filing number as people paste it (full-width characters, stray spaces, other dashes, lower case) into
 * its canonical form, e.g. ` 京icp备１００４６４４４号－９ ` → `京ICP备10046444号-9`.
 * @param path field path reported in errors, e.g. `filingNumber`.
 */
export function parseFilingNumber(input: string, path: string, options: DateOptions = {}): ParseResult<FilingNumberParts> {
  const s = normalizePasted(input);
  if (s === '') return fail(path, 'required', `Enter the ICP filing number (ICP备案号), e.g. ${EXAMPLE}.`);
  if (s.includes('公网安备')) {
    return fail(
      path,
      'public_security_number_given',
      `This is a public-security filing number (公网安备号), not an ICP filing number; enter the ICP number (with ICP备), e.g. ${EXAMPLE}.`,
    );
  }
  if (s.includes('ICP证') || /B[12]-?\d{8}/.test(s)) {
    return fail(
      path,
      'licence_number_given',
      `This is an ICP licence number (经营许可证号, ICP证 / B2-), not a filing number (备案号, ICP备); enter the filing number, e.g. ${EXAMPLE}, or use kind cancel_licence to cancel the licence.`,
    );
  }
  if (!s.includes('ICP') && /^[A-Z0-9-]+(\.[A-Z0-9-]+)+$/.test(s)) {
    return fail(
      path,
      'not_a_filing_number',
      `"${input.trim()}" looks like a domain name, not a filing number; enter the ICP filing number shown at the foot of the site, e.g. ${EXAMPLE}.`,
    );
  }

  const marker = s.indexOf('ICP');
  if (marker < 0) {
    return fail(path, 'missing_icp_marker', `A filing number contains "ICP备" after the province abbreviation, e.g. ${EXAMPLE}.`);
  }
  const first = s.slice(0, marker);
  const province = checkProvince(first, 'A filing number', EXAMPLE);
  if (!province.ok) return fail(path, province.code, province.message);

  const rest = s.slice(marker);
  if (!rest.startsWith('ICP备')) {
    return fail(
      path,
      'missing_icp_marker',
      `After the province abbreviation "${first}" a filing number continues with "ICP备" and the digits, e.g. ${EXAMPLE}.`,
    );
  }
  const body = rest.slice('ICP备'.length);
  const digits = /^\d*/.exec(body)?.[0] ?? '';
  if (digits.length === 0) {
    return fail(path, 'missing_digits', `"ICP备" must be followed by the digits of the number, e.g. ${EXAMPLE}.`);
  }
  if (![6, 8, 10].includes(digits.length)) {
    return fail(
      path,
      'invalid_digit_count',
      `The number has ${digits.length} digits between "ICP备" and "号"; filing numbers have 6, 8 or 10. Check for a missing or extra digit.`,
    );
  }
  let tail = body.slice(digits.length);
  if (!tail.startsWith('号')) {
    if (tail === '' || /^-\d+[AX]?$/.test(tail)) {
      const suggestion = `${first}ICP备${digits}号${tail}`;
      return fail(path, 'missing_hao', `The digits must be followed by "号": write ${suggestion}.`);
    }
    return fail(path, 'unexpected_characters', `Unexpected "${tail}" after the digits; the number should look like ${EXAMPLE}.`);
  }
  tail = tail.slice(1);

  const suffix = /^(?:-(\d*))?([AX])?(.*)$/.exec(tail);
  const [, indexText, letter, extra] = suffix ?? [];
  if (extra) {
    return fail(
      path,
      'unexpected_characters',
      `Unexpected "${extra}" at the end; after "号" only a website suffix such as "-9" (and "A" for an App, "X" for a mini-program) may follow.`,
    );
  }
  if (indexText !== undefined && !/^[1-9]\d{0,3}$/.test(indexText)) {
    return fail(
      path,
      'invalid_website_index',
      `The website suffix must be "-" and a number from 1 without leading zeros (e.g. "-9"); found "-${indexText}".`,
    );
  }
  if (letter && indexText === undefined) {
    return fail(
      path,
      'missing_website_index',
      `An ${letter === 'A' ? 'App' : 'mini-program'} filing number has a suffix before "${letter}", e.g. 冀ICP备2022016663号-4A; add the "-n".`,
    );
  }

  const today = options.today ?? chinaToday();
  const currentYear = Number(today.slice(0, 4));
  let year: number | undefined;
  if (digits.length === 10) year = Number(digits.slice(0, 4));
  if (digits.length === 8) year = 2000 + Number(digits.slice(0, 2));
  if (year !== undefined && (year < 2000 || year > currentYear)) {
    return fail(
      path,
      'implausible_year',
      `The digits start with the filing year, and ${year} is not possible (filings exist from 2000 to ${currentYear}); check the first digits.`,
    );
  }

  const subjectNumber = `${first}ICP备${digits}号`;
  const websiteIndex = indexText === undefined ? undefined : Number(indexText);
  const kind: FilingKind = letter ? LETTER_KIND[letter as 'A' | 'X'] : websiteIndex === undefined ? 'subject' : 'website';
  const value = `${subjectNumber}${websiteIndex === undefined ? '' : `-${websiteIndex}`}${letter ?? ''}`;
  return {
    ok: true,
    value,
    parts: {
      province: first,
      region: province.province.region,
      digits,
      ...(year === undefined ? {} : { year }),
      sequence: digits.length === 6 ? digits : digits.slice(digits.length - 6),
      ...(websiteIndex === undefined ? {} : { websiteIndex }),
      kind,
      subjectNumber,
    },
  };
}

/** The kind of a filing number (subject, website, app, mini-program), or undefined when it is not a valid number. */
export function filingKindOf(filingNumber: string, options: DateOptions = {}): FilingKind | undefined {
  const parsed = parseFilingNumber(filingNumber, '', options);
  return parsed.ok ? parsed.parts.kind : undefined;
}

/** True for a subject's own number (no `-n` suffix). */
export function isSubjectFilingNumber(filingNumber: string, options: DateOptions = {}): boolean {
  return filingKindOf(filingNumber, options) === 'subject';
}

/** True for a website number (`-n`, no App/mini-program letter). */
export function isWebsiteFilingNumber(filingNumber: string, options: DateOptions = {}): boolean {
  return filingKindOf(filingNumber, options) === 'website';
}

/**
 * The subject's number of any filing number: `京ICP备10046444号-9` → `京ICP备10046444号`.
 * Undefined when the input is not a valid filing number.
 */
export function subjectNumberOf(filingNumber: string, options: DateOptions = {}): string | undefined {
  const parsed = parseFilingNumber(filingNumber, '', options);
  return parsed.ok ? parsed.parts.subjectNumber : undefined;
}
