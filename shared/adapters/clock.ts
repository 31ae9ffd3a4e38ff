import type { Clock } from '../ports/services.ts';

/** The machine's clock: what every function uses in AWS. */
export const systemClock: Clock = { now: () => new Date(), wallNow: () => new Date() };

/**
 * A clock that runs at the machine's pace but `offsetMs` away from it: the local runtime's `LOCAL_CLOCK_START`, so a
 * demo or a test can live on another day (say in a year the holiday calendar does not cover yet) without touching the
 * machine's time. `wallNow()` stays real: other parties check those timestamps against their own clocks.
 */
export function shiftedClock(offsetMs: number): Clock {
  if (offsetMs === 0) return systemClock;
  return { now: () => new Date(Date.now() + offsetMs), wallNow: () => new Date() };
}
