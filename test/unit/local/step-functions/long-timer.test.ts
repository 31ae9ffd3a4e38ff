import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setLongTimeout } from '../../../../infra/local/step-functions/long-timer.ts';

const DAY_MS = 24 * 3600 * 1000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('setLongTimeout', () => {
  it('fires a 30-day delay after 30 days, where setTimeout would fire at once', () => {
    // Prepare
    const fired = vi.fn();
    const plain = vi.fn();
    setLongTimeout(fired, 30 * DAY_MS);
    setTimeout(plain, 30 * DAY_MS);

    // Act
    vi.advanceTimersByTime(30 * DAY_MS - 1);
    const before = fired.mock.calls.length;
    vi.advanceTimersByTime(1);

    // Assess
    expect(plain).toHaveBeenCalled();
    expect(before).toBe(0);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('never fires once cancelled, even between chunks', () => {
    // Prepare
    const fired = vi.fn();
    const timer = setLongTimeout(fired, 60 * DAY_MS, 10 * DAY_MS);
    vi.advanceTimersByTime(25 * DAY_MS);

    // Act
    timer.cancel();
    vi.advanceTimersByTime(100 * DAY_MS);

    // Assess
    expect(fired).not.toHaveBeenCalled();
  });
});
