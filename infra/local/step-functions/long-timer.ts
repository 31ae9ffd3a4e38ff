/**
 * The longest delay Node's `setTimeout` honours. A longer one (Step Functions waits can last a year) overflows, and
 * Node fires it after 1 ms instead, so a 30-day timeout would expire at once.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** A pending {@link setLongTimeout}. */
export interface LongTimer {
  /** Stops the timer; the callback will not run. Safe to call more than once. */
  cancel(): void;
}

/**
 * Like `setTimeout`, for any delay: delays over {@link MAX_TIMER_DELAY_MS} are chained in chunks, so the callback runs
 * after the full delay and never early. Non-finite delays never fire.
 *
 * @param callback what to run once the delay has passed
 * @param delayMs the delay in milliseconds (negative counts as 0)
 * @param maxChunkMs the longest single `setTimeout`; only tests lower it
 */
export function setLongTimeout(callback: () => void, delayMs: number, maxChunkMs = MAX_TIMER_DELAY_MS): LongTimer {
  let handle: NodeJS.Timeout | undefined;
  let remaining = Math.max(0, delayMs);
  const schedule = (): void => {
    if (!Number.isFinite(remaining)) {
      return;
    }
    const chunk = Math.min(remaining, maxChunkMs);
    handle = setTimeout(() => {
      remaining -= chunk;
      if (remaining > 0) {
        schedule();
      } else {
        handle = undefined;
        callback();
      }
    }, chunk);
  };
  schedule();
  return {
    cancel: () => {
      if (handle !== undefined) {
        clearTimeout(handle);
        handle = undefined;
      }
      remaining = Number.POSITIVE_INFINITY;
    },
  };
}
