import { StatesError } from './errors.ts';
import { type LongTimer, setLongTimeout } from './long-timer.ts';
import { RENEW_ERROR } from './prepare-definition.ts';
import { statesTimeoutError } from './states-timeout-error.ts';

export interface TaskAttemptOptions {
  stateName: string;
  /** The task token of a `.waitForTaskToken` attempt. */
  token?: string;
  /** Fails the attempt with `States.Timeout` after this long (already scaled). */
  timeoutMs?: number;
  /** Fails the attempt with `States.HeartbeatTimeout` when no heartbeat (or result) comes for this long. */
  heartbeatMs?: number;
  /** Called once, when the attempt closes (succeeds, fails or times out). */
  onClose?: () => void;
}

/**
 * One attempt of a Task (or former Wait) state: open until its result, its failure or one of its timeouts, whichever
 * comes first; anything after that is ignored. It outlives the promise the interpreter awaits: that promise is
 * renewed (see {@link attach}) while the attempt stays the same, with the same token.
 */
export class TaskAttempt {
  readonly stateName: string;
  readonly token: string | undefined;
  private open = true;
  private readonly outcome: Promise<unknown>;
  private resolveOutcome!: (value: unknown) => void;
  private rejectOutcome!: (reason: unknown) => void;
  private readonly timers = new Set<LongTimer>();
  private heartbeatTimer: LongTimer | undefined;
  private readonly heartbeatMs: number | undefined;
  private readonly onClose: (() => void) | undefined;

  constructor(options: TaskAttemptOptions) {
    this.stateName = options.stateName;
    this.token = options.token;
    this.heartbeatMs = options.heartbeatMs;
    this.onClose = options.onClose;
    this.outcome = new Promise((resolve, reject) => {
      this.resolveOutcome = resolve;
      this.rejectOutcome = reject;
    });
    // Always observed through attach(); this only keeps a failure nobody awaits any more from being "unhandled".
    this.outcome.catch(() => undefined);
    if (options.timeoutMs !== undefined) {
      this.after(options.timeoutMs, () => this.fail(statesTimeoutError()));
    }
    this.heartbeat();
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Runs `callback` after `delayMs` unless the attempt has closed by then. */
  after(delayMs: number, callback: () => void): void {
    const timer = setLongTimeout(() => {
      this.timers.delete(timer);
      callback();
    }, delayMs);
    this.timers.add(timer);
  }

  /** Completes the attempt with `value`; false if it was already closed. */
  succeed(value: unknown): boolean {
    if (!this.close()) {
      return false;
    }
    this.resolveOutcome(value);
    return true;
  }

  /** Fails the attempt with `error` (a {@link StatesError} or the library's timeout); false if already closed. */
  fail(error: Error): boolean {
    if (!this.close()) {
      return false;
    }
    this.rejectOutcome(error);
    return true;
  }

  /** Restarts the heartbeat clock (SendTaskHeartbeat). */
  heartbeat(): void {
    if (this.heartbeatMs === undefined || !this.open) {
      return;
    }
    this.heartbeatTimer?.cancel();
    if (this.heartbeatTimer) {
      this.timers.delete(this.heartbeatTimer);
    }
    const timer = setLongTimeout(() => {
      this.timers.delete(timer);
      this.fail(new StatesError('States.HeartbeatTimeout', `No heartbeat for ${this.heartbeatMs} ms`));
    }, this.heartbeatMs);
    this.heartbeatTimer = timer;
    this.timers.add(timer);
  }

  /**
   * The promise the interpreter awaits for one entry of the state: it settles with the attempt, or, if the attempt is
   * still open after `renewAfterMs`, rejects with {@link RENEW_ERROR} once `onRenew` has queued the attempt for the
   * interpreter's next entry (its hidden retrier enters the state again at once).
   */
  attach(renewAfterMs: number, onRenew: () => void): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let renewal: LongTimer | undefined;
      if (this.open) {
        renewal = setLongTimeout(() => {
          this.timers.delete(renewal as LongTimer);
          onRenew();
          reject(new StatesError(RENEW_ERROR, 'Renewing the interpreter task timer'));
        }, renewAfterMs);
        this.timers.add(renewal);
      }
      this.outcome.then(
        (value) => {
          renewal?.cancel();
          resolve(value);
        },
        (error: unknown) => {
          renewal?.cancel();
          reject(error);
        },
      );
    });
  }

  private close(): boolean {
    if (!this.open) {
      return false;
    }
    this.open = false;
    for (const timer of this.timers) {
      timer.cancel();
    }
    this.timers.clear();
    this.onClose?.();
    return true;
  }
}
