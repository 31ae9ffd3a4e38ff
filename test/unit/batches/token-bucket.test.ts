import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../shared/adapters/sfn/token-bucket.ts';

/** A clock that only moves when the bucket sleeps. */
function fakeTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('TokenBucket', () => {
  it('lets a burst of `capacity` through at once, then paces calls at the refill rate', async () => {
    // Prepare
    const time = fakeTime();
    const bucket = new TokenBucket({ refillPerSecond: 300, capacity: 300, now: time.now, sleep: time.sleep });

    // Act
    for (let i = 0; i < 300; i++) await bucket.take();
    const burstEnd = time.now();
    for (let i = 0; i < 600; i++) await bucket.take();

    // Assess
    expect(burstEnd).toBe(0);
    // 600 more tokens at 300 a second take two seconds (rounding up each wait to whole milliseconds).
    expect(time.now()).toBeGreaterThanOrEqual(2000);
    expect(time.now()).toBeLessThan(2000 + 600);
  });

  it('refills while idle, up to its capacity only', async () => {
    // Prepare
    const time = fakeTime();
    const bucket = new TokenBucket({ refillPerSecond: 10, capacity: 5, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 5; i++) await bucket.take();

    // Act
    time.advance(60_000);
    for (let i = 0; i < 5; i++) await bucket.take();
    const sleptBefore = time.sleeps.length;
    await bucket.take();

    // Assess
    expect(sleptBefore).toBe(0);
    expect(time.sleeps.length).toBe(1);
  });

  it('serves concurrent callers in order without handing out more than the rate allows', async () => {
    // Prepare
    const time = fakeTime();
    const bucket = new TokenBucket({ refillPerSecond: 100, capacity: 1, now: time.now, sleep: time.sleep });
    const order: number[] = [];

    // Act
    await Promise.all(Array.from({ length: 50 }, (_, i) => bucket.take().then(() => order.push(i))));

    // Assess
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(time.now()).toBeGreaterThanOrEqual(490);
  });

  it('refuses a rate or capacity that could never hand out a token', () => {
    expect(() => new TokenBucket({ refillPerSecond: 0, capacity: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ refillPerSecond: 1, capacity: 0 })).toThrow(RangeError);
  });
});
