/**
 * A token bucket: up to `capacity` calls at once, then `refillPerSecond` a second. `take()` waits for a token.
 *
 * It paces one process (one ingestion chunk at a time per batch); Step Functions' own StartExecution limit is per
 * account and region, so whatever several processes together send beyond it comes back as ThrottlingException,
 * which the caller retries with backoff.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      refillPerSecond: number;
      capacity: number;
      now?: () => number;
      sleep?: (ms: number) => Promise<void>;
    },
  ) {
    if (!(options.refillPerSecond > 0) || !(options.capacity >= 1)) throw new RangeError('A token bucket needs a positive rate and a capacity of at least 1');
    this.tokens = options.capacity;
    this.updatedAt = this.now();
  }

  /** Waits until a token is available and takes it. Callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.takeNow());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async takeNow(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const waitMs = Math.ceil(((1 - this.tokens) / this.options.refillPerSecond) * 1000);
      await (this.options.sleep ?? defaultSleep)(waitMs);
    }
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.options.capacity, this.tokens + elapsed * this.options.refillPerSecond);
    this.updatedAt = now;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
