import { chinaToday, fromDayNumber, dayNumber } from '../../shared/domain/calendar/china-date.ts';
import { localClock } from '../../infra/local/local-clock.ts';
import type { Clock } from '../../shared/ports/services.ts';

/**
 * The tests' clock: the day `LOCAL_CLOCK_START` names when it is set (as the local runtime's clock; that is how the
 * suite runs at other dates, see vitest.config.ts), the machine's otherwise. Tests that need a particular day pin it
 * instead (`testDeps({ now })`, a runtime's `clockStart`).
 */
export const testClock: Clock = localClock(process.env.LOCAL_CLOCK_START).clock;

/** The China date `days` before the test clock's today (a site closed last month, say). */
export function daysAgo(days: number, clock: Clock = testClock): string {
  return fromDayNumber(dayNumber(chinaToday(clock.now())) - days);
}
