import * as z from '../../zod.ts';

/**
 * Calendar dates as China sees them (Asia/Shanghai).
 *
 * China has used UTC+8 all year since 1991 (no daylight saving), so a fixed offset is exact for every date this system
 * handles and keeps the arithmetic free of time-zone databases. Dates travel as `YYYY-MM-DD` strings; arithmetic uses
 * day numbers (days since 1970-01-01), which have no time zone at all.
 */

const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A real calendar date written `YYYY-MM-DD` (zod checks month lengths and leap years). */
export const IsoDate = z.iso.date();
export type IsoDate = z.infer<typeof IsoDate>;

/** True when year/month/day name a real date of the proleptic Gregorian calendar. */
export function isRealDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/**
 * The China calendar date of an instant, or the date itself when given a `YYYY-MM-DD` string.
 * @throws RangeError for anything else: a bad date here is a bug upstream, not user input.
 */
export function toChinaDate(date: Date | string): string {
  if (date instanceof Date) {
    if (Number.isNaN(date.getTime())) throw new RangeError('Invalid Date');
    return new Date(date.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
  }
  if (!IsoDate.safeParse(date).success) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  return date;
}

/** Today's date in China. */
export function chinaToday(now: Date = new Date()): string {
  return toChinaDate(now);
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

/** The `YYYY-MM-DD` date of a day number. */
export function fromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  return new Date(dayNumber(date) * DAY_MS).getUTCDay();
}

export function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}
