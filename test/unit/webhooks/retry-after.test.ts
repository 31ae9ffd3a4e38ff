import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_SECONDS, parseRetryAfter } from '../../../shared/webhooks/retry-after.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');

  it.each([
    ['120', 120],
    [' 0 ', 0],
    [['30', '60'], 30],
    ['Sun, 01 Jun 2025 12:02:00 GMT', 120],
    ['Sun, 01 Jun 2025 11:00:00 GMT', 0],
    ['Sunday, 01-Jun-25 12:01:00 GMT', 60],
    ['Sun Jun  1 12:00:30 2025', 30],
    ['999999999', MAX_RETRY_AFTER_SECONDS],
    ['Wed, 01 Jan 2031 00:00:00 GMT', MAX_RETRY_AFTER_SECONDS],
  ] as const)('reads %j as %i seconds', (value, expected) => {
    // Prepare / Act
    const seconds = parseRetryAfter(value as string | string[], now);

    // Assess
    expect(seconds).toBe(expected);
  });

  it.each([undefined, '', '-5', '1.5', 'soon', '2025-06-01T12:05:00Z'])('ignores %j', (value) => {
    // Prepare / Act
    const seconds = parseRetryAfter(value, now);

    // Assess
    expect(seconds).toBeUndefined();
  });
});
