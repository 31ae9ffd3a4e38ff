import * as z from '../../zod.ts';
import { dayNumber, fromDayNumber, IsoDate, weekdayOf, yearOf } from './china-date.ts';

/**
 * The official holiday calendar as data: one `HolidayYearFile` per State Council notice (see `data/README.md`),
 * combined into a `HolidayCalendar` that knows which days are off, which weekend days are make-up workdays (调休),
 * and which years it covers. No code lists the years: coverage is whatever files were given.
 */

export const HolidayRange = z.strictObject({
  name: z.string().check(z.minLength(1)),
  nameEn: z.optional(z.string().check(z.minLength(1))),
  from: IsoDate,
  to: IsoDate,
});
export type HolidayRange = z.infer<typeof HolidayRange>;

export const HolidayYearFile = z.strictObject({
  year: z.number().check(z.int(), z.minimum(2000), z.maximum(2100)),
  source: z.strictObject({
    title: z.string().check(z.minLength(1)),
    reference: z.optional(z.string().check(z.minLength(1))),
    published: IsoDate,
    urls: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
    notes: z.optional(z.string()),
  }),
  holidays: z.array(HolidayRange).check(z.minLength(1)),
  makeUpWorkdays: z.array(IsoDate),
});
export type HolidayYearFile = z.infer<typeof HolidayYearFile>;

/**
 * Next year's notice can still move the last days of December (the 2019 notice made 2018-12-29 a workday and
 * 2018-12-31 a holiday), so from this day on a year is only fully known once the next year's file is present.
 */
const DECEMBER_TAIL_START = '12-28';

export interface HolidayCalendar {
  /** Years whose notice is loaded. */
  readonly years: ReadonlySet<number>;
  /** Day off → name of the holiday. */
  readonly holidays: ReadonlyMap<string, string>;
  readonly makeUpWorkdays: ReadonlySet<string>;
}

export type DayType = 'weekday' | 'weekend' | 'holiday' | 'make_up_workday';

export interface DayInfo {
  date: string;
  type: DayType;
  businessDay: boolean;
  holiday?: string;
  /** Notice years that are missing and could change this day; empty when the day is known for certain. */
  uncoveredYears: number[];
}

/** A year file that breaks the rules of `data/README.md`. A deployment bug, never user input. */
export class HolidayDataError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HolidayDataError';
  }
}

/**
 * Combine year files into a calendar, checking each against the rules in `data/README.md`.
 * @throws HolidayDataError when a file breaks them or two files claim the same year.
 */
export function buildHolidayCalendar(files: readonly unknown[]): HolidayCalendar {
  const years = new Set<number>();
  const holidays = new Map<string, string>();
  const makeUpWorkdays = new Set<string>();
  for (const raw of files) {
    const parsed = HolidayYearFile.safeParse(raw);
    if (!parsed.success) {
      throw new HolidayDataError(`invalid holiday year file: ${z.prettifyError(parsed.error)}`, { cause: parsed.error });
    }
    const file = parsed.data;
    if (years.has(file.year)) throw new HolidayDataError(`two holiday files for ${file.year}`);
    years.add(file.year);
    const belongs = (date: string) =>
      yearOf(date) === file.year || (yearOf(date) === file.year - 1 && date.slice(5) >= DECEMBER_TAIL_START);
    for (const range of file.holidays) {
      if (range.from > range.to) throw new HolidayDataError(`${file.year}: ${range.name} ends before it starts`);
      for (let day = dayNumber(range.from); day <= dayNumber(range.to); day++) {
        const date = fromDayNumber(day);
        if (!belongs(date)) throw new HolidayDataError(`${file.year}: ${range.name} includes ${date}, outside the year`);
        holidays.set(date, range.name);
      }
    }
    for (const date of file.makeUpWorkdays) {
      if (!belongs(date)) throw new HolidayDataError(`${file.year}: make-up workday ${date} is outside the year`);
      const weekday = weekdayOf(date);
      if (weekday !== 0 && weekday !== 6) {
        throw new HolidayDataError(`${file.year}: make-up workday ${date} is not a Saturday or Sunday`);
      }
      if (holidays.has(date)) throw new HolidayDataError(`${file.year}: ${date} is both a holiday and a workday`);
      makeUpWorkdays.add(date);
    }
  }
  return { years, holidays, makeUpWorkdays };
}

/** Notice years missing from the calendar that could change `date`. */
export function uncoveredYearsOf(calendar: HolidayCalendar, date: string): number[] {
  const year = yearOf(date);
  const missing: number[] = [];
  if (!calendar.years.has(year)) missing.push(year);
  if (date.slice(5) >= DECEMBER_TAIL_START && !calendar.years.has(year + 1)) missing.push(year + 1);
  return missing;
}

/**
 * What kind of day `date` (`YYYY-MM-DD`, China) is. Days the calendar does not cover are judged by weekends alone and
 * list the missing years in `uncoveredYears`.
 */
export function dayInfo(calendar: HolidayCalendar, date: string): DayInfo {
  const uncoveredYears = uncoveredYearsOf(calendar, date);
  const holiday = calendar.holidays.get(date);
  if (holiday !== undefined) return { date, type: 'holiday', businessDay: false, holiday, uncoveredYears };
  if (calendar.makeUpWorkdays.has(date)) return { date, type: 'make_up_workday', businessDay: true, uncoveredYears };
  const weekday = weekdayOf(date);
  const weekend = weekday === 0 || weekday === 6;
  return { date, type: weekend ? 'weekend' : 'weekday', businessDay: !weekend, uncoveredYears };
}
