import { z } from 'zod';
import { shiftedClock } from '../../shared/adapters/clock.ts';
import type { Clock } from '../../shared/ports/services.ts';

/** `2027-06-01` (midnight UTC, 08:00 in China) or a date-time with its offset, `2027-06-01T09:30:00+08:00`. */
export const ClockStart = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'a date (2027-06-01) or a date-time with an offset (2027-06-01T09:30:00+08:00)',
});

/** The local runtime's clock: where the clock port reads the time, and the offset handed to every function. */
export interface LocalClock {
  clock: Clock;
  /** `CLOCK_OFFSET_MS` of the functions' environment. */
  offsetMs: number;
}

/**
 * The clock that starts at `start` (LOCAL_CLOCK_START) when the runtime starts, and then runs at the machine's pace;
 * the machine's own clock when `start` is absent. Tests and demos use it to live on another day.
 * @throws Error naming the variable and the accepted forms when `start` is not a date
 */
export function localClock(start: string | undefined, machineNow = Date.now()): LocalClock {
  if (start === undefined || start === '') return { clock: shiftedClock(0), offsetMs: 0 };
  if (!ClockStart.safeParse(start).success) {
    throw new Error(
      `LOCAL_CLOCK_START must be a date (2027-06-01) or a date-time with an offset (2027-06-01T09:30:00+08:00), got ${JSON.stringify(start)}`,
    );
  }
  const offsetMs = Date.parse(start) - machineNow;
  return { clock: shiftedClock(offsetMs), offsetMs };
}
