/** Never wait longer than a day on a receiver's say-so; the retry schedule spans about three days in all. */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

const HTTP_DATE_START = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /;

/**
 * Parses an HTTP `Retry-After` value (RFC 9110 §10.2.3): delay in seconds, or an HTTP date.
 *
 * @returns whole seconds from `now`, at least 0 and capped to `MAX_RETRY_AFTER_SECONDS`, or `undefined` when the header
 * is absent or unreadable (the caller then uses its own backoff).
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (raw === undefined || raw === '') return undefined;
  let seconds: number;
  if (/^\d+$/.test(raw)) {
    seconds = Number(raw);
  } else {
    // All three HTTP-date forms start with a day name; without this check V8's lenient Date.parse reads "1.5" or
    // "-5" as dates.
    if (!HTTP_DATE_START.test(raw)) return undefined;
    // HTTP dates are always GMT, but the asctime form does not say so and Date.parse would read it as local time.
    const at = Date.parse(/GMT$/.test(raw) ? raw : `${raw} GMT`);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.max(0, Math.ceil((at - now) / 1000));
  }
  return Math.min(seconds, MAX_RETRY_AFTER_SECONDS);
}
