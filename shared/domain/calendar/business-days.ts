import { dayNumber, fromDayNumber, toChinaDate } from './china-date.ts';
import { dayInfo, type HolidayCalendar } from './holiday-calendar.ts';
import { defaultHolidayCalendar } from './load-holiday-calendar.ts';

/**
 * Business days (工作日) in China: Monday to Friday, minus public holidays, plus make-up workdays (调休).
 *
 * Every answer says whether it is exact. A computation that touches a day the calendar does not cover uses weekends
 * only for that day and comes back as `{ estimate: true, uncoveredYears }`, never silently as if it were known.
 * Dates are `YYYY-MM-DD` in China time; a `Date` is converted to its China calendar date.
 */

export type CalendarResult<T> =
  | { value: T; estimate: false }
  | { value: T; estimate: true; uncoveredYears: number[] };

/** Collects the missing years met while walking the calendar. */
class Coverage {
  private readonly missing = new Set<number>();
  note(years: readonly number[]): void {
    for (const year of years) this.missing.add(year);
  }
  result<T>(value: T): CalendarResult<T> {
    if (this.missing.size === 0) return { value, estimate: false };
    return { value, estimate: true, uncoveredYears: [...this.missing].sort((a, b) => a - b) };
  }
}

/** Whether `date` is a business day in China. */
export function isBusinessDay(date: Date | string, calendar: HolidayCalendar = defaultHolidayCalendar()): CalendarResult<boolean> {
  const info = dayInfo(calendar, toChinaDate(date));
  const coverage = new Coverage();
  coverage.note(info.uncoveredYears);
  return coverage.result(info.businessDay);
}

/**
 * The date `n` business days after `date` (before it for negative `n`); `date` itself is not counted, so
 * Friday + 1 is the next business day. `n = 0` returns `date` unchanged, business day or not.
 * @throws RangeError when `n` is not an integer.
 */
export function addBusinessDays(
  date: Date | string,
  n: number,
  calendar: HolidayCalendar = defaultHolidayCalendar(),
): CalendarResult<string> {
  if (!Number.isInteger(n)) throw new RangeError(`business days must be a whole number, got ${n}`);
  const coverage = new Coverage();
  const step = n < 0 ? -1 : 1;
  let day = dayNumber(toChinaDate(date));
  for (let remaining = Math.abs(n); remaining > 0; ) {
    day += step;
    const info = dayInfo(calendar, fromDayNumber(day));
    coverage.note(info.uncoveredYears);
    if (info.businessDay) remaining--;
  }
  return coverage.result(fromDayNumber(day));
}

/**
 * The signed number of business days stepped onto going from `from` to `to`: `from` itself is not counted, `to` is
 * (in either direction). This makes it the inverse of `addBusinessDays`:
 * `businessDaysBetween(d, addBusinessDays(d, n).value).value === n`. Negative when `to` is before `from`.
 */
export function businessDaysBetween(
  from: Date | string,
  to: Date | string,
  calendar: HolidayCalendar = defaultHolidayCalendar(),
): CalendarResult<number> {
  const start = dayNumber(toChinaDate(from));
  const end = dayNumber(toChinaDate(to));
  const step = end < start ? -1 : 1;
  const coverage = new Coverage();
  let count = 0;
  for (let day = start; day !== end; ) {
    day += step;
    const info = dayInfo(calendar, fromDayNumber(day));
    coverage.note(info.uncoveredYears);
    if (info.businessDay) count += step;
  }
  return coverage.result(count);
}
