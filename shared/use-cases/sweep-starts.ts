import { log } from '../log.ts';
import type { StartDrainer } from '../ports/execution-starts.ts';

/** How long one sweep drains: it runs every minute, and its function has 90 seconds. */
export const SWEEP_BUDGET_MS = 50_000;
/** The sweep function's timeout: the budget and the last block's starts. */
export const SWEEP_TIMEOUT_SECONDS = 90;

/**
 * The re-drive of the start queue, run every minute: starts whatever requests are left there, at the system's pace.
 *
 * Primary course:
 * 1. Every request nobody holds is claimed a block at a time and started as the pace gives tokens: a caller's own
 *    start that the pace or Step Functions' throttling put off, a request whose holder died (its lease ran out), the
 *    rest of a batch whose workflow stopped before starting all its reviews.
 * 2. A throttled start goes back with its backoff, for a later block or sweep; nothing is deleted before Step
 *    Functions has the execution.
 * 3. It ends when nothing is left to claim, or after `SWEEP_BUDGET_MS` (the next sweep carries on).
 */
export async function sweepStarts(deps: { starts: StartDrainer }): Promise<{ started: number; done: boolean }> {
  const result = await deps.starts.drain({ budgetMs: SWEEP_BUDGET_MS });
  if (result.started > 0 || !result.done) log.info('start requests swept', result);
  return result;
}
