import { chinaToday } from '../calendar/china-date.ts';
import { normalizePasted } from './normalize-pasted.ts';
import { type DateOptions, fail, type ParseResult } from './parse-result.ts';
import { checkProvince } from './provinces.ts';

/**
 * Value-added telecom licence numbers for internet information services (ICP经营许可证号):
 * - provincial `<province>B2-<YYYY><4 digits>` (`浙B2-20080224`);
 * - cross-region, issued by MIIT, without a province (`B2-20233776`);
 * - legacy `<province>ICP证<6 digits>号` (`京ICP证030173号`).
 */

export type LicenceForm = 'provincial' | 'cross_region' | 'legacy';

export interface LicenceNumberParts {
  form: LicenceForm;
  /** Absent for cross-region licences. */
  province?: string;
  region?: string;
  digits: string;
  /** Year of issue (provincial and cross-region forms). */
  year?: number;
}

const EXAMPLE = '浙B2-20080224';

/**
 * Parse an ICP licence number (full-width characters, spaces, dash variants and lower case tolerated) into its
 * canonical form, e.g. `浙b2－20080224` → `浙B2-20080224`.
 */
export function parseLicenceNumber(input: string, path: string, options: DateOptions = {}): ParseResult<LicenceNumberParts> {
  const s = normalizePasted(input);
  if (s === '') return fail(path, 'required', `Enter the ICP licence number (经营许可证号), e.g. ${EXAMPLE}.`);
  if (s.includes('ICP备')) {
    return fail(
      path,
      'filing_number_given',
      `This is an ICP filing number (备案号, ICP备), not a licence number (经营许可证号); enter the licence number, e.g. ${EXAMPLE}, or choose a filing cancellation kind instead of cancel_licence.`,
    );
  }

  const legacy = /^(\P{ASCII}*)ICP证(\d*)(号?)(.*)$/u.exec(s);
  if (legacy) {
    const [, first = '', digits = '', hao, extra] = legacy;
    const province = checkProvince(first, 'A legacy licence number', '京ICP证030173号');
    if (!province.ok) return fail(path, province.code, province.message);
    if (digits.length !== 6) {
      return fail(
        path,
        'invalid_digit_count',
        `A legacy licence number has 6 digits between "ICP证" and "号" (e.g. 京ICP证030173号); found ${digits.length}.`,
      );
    }
    if (extra) return fail(path, 'unexpected_characters', `Unexpected "${extra}" at the end of the licence number.`);
    if (!hao) return fail(path, 'missing_hao', `The digits must be followed by "号": write ${first}ICP证${digits}号.`);
    return {
      ok: true,
      value: `${first}ICP证${digits}号`,
      parts: { form: 'legacy', province: first, region: province.province.region, digits },
    };
  }

  const modern = /^(\P{ASCII}*)([A-Z]\d)(-?)(\d*)(.*)$/u.exec(s);
  if (!modern) {
    return fail(path, 'invalid_format', `Not a licence number; it should look like ${EXAMPLE}, B2-20233776 or 京ICP证030173号.`);
  }
  const [, prefix = '', category, hyphen, digits = '', extra] = modern;
  // Cross-region licences (issued by MIIT itself) have no province in front.
  const first = prefix === '' ? undefined : prefix;
  let region: string | undefined;
  if (first !== undefined) {
    const province = checkProvince(first, 'A provincial licence number', EXAMPLE);
    if (!province.ok) return fail(path, province.code, province.message);
    region = province.province.region;
  }
  if (category !== 'B2') {
    return fail(
      path,
      'not_icp_licence',
      `"${category}" is not the ICP licence category: internet information services are licensed as B2 (e.g. ${EXAMPLE}); check that this is the 经营许可证 for the website.`,
    );
  }
  if (digits.length !== 8 || extra) {
    return fail(
      path,
      'invalid_digit_count',
      `After "B2-" a licence number has 8 digits (4-digit year + 4-digit sequence), e.g. ${EXAMPLE}.`,
    );
  }
  if (!hyphen) {
    return fail(path, 'missing_hyphen', `Write the hyphen after "B2": ${first ?? ''}B2-${digits}.`);
  }
  const year = Number(digits.slice(0, 4));
  const currentYear = Number((options.today ?? chinaToday()).slice(0, 4));
  if (year < 2000 || year > currentYear) {
    return fail(
      path,
      'implausible_year',
      `The first 4 digits after "B2-" are the year of issue, and ${year} is not possible (2000–${currentYear}); check them.`,
    );
  }
  return {
    ok: true,
    value: `${first ?? ''}B2-${digits}`,
    parts:
      first === undefined
        ? { form: 'cross_region', digits, year }
        : { form: 'provincial', province: first, ...(region ? { region } : {}), digits, year },
  };
}
