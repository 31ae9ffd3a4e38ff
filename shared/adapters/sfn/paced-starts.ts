import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sleep as defaultSleep } from '../../concurrency.ts';
import { log } from '../../log.ts';
import type { Execution, ExecutionStarter, Machine, StartDrainer } from '../../ports/execution-starts.ts';
import { ARRIVAL_MARGIN_SECONDS, type DynamoPace } from '../dynamo/dynamo-pace.ts';
import { CALLER_REQUEST_LEASE_MS, type DynamoStartQueue, type QueuedStart, requestedStart, START_QUEUE_SHARDS } from '../dynamo/dynamo-start-queue.ts';

/** Errors with which Step Functions refuses a call for its quota: the start did not happen, try again later. */
const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'ServiceUnavailable', 'RequestLimitExceeded']);

/** Calls StartExecution; the only place that does for reviews and deliveries. */
export interface ExecutionLauncher {
  /**
   * `started` when Step Functions has the execution (also when it had it already: names are deterministic, so
   * `ExecutionAlreadyExists` is this very run), `throttled` when it refused for its quota.
   * @throws anything else Step Functions answers
   */
  launch(execution: Execution): Promise<'started' | 'throttled'>;
}

export class SfnExecutionLauncher implements ExecutionLauncher {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArns: Readonly<Record<Machine, string>>,
  ) {}

  async launch(execution: Execution): Promise<'started' | 'throttled'> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArns[execution.machine],
          name: execution.name,
          input: JSON.stringify(execution.input),
        }),
      );
      return 'started';
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (name === 'ExecutionAlreadyExists') return 'started';
      if (THROTTLED.has(name)) return 'throttled';
      throw error;
    }
  }
}

export interface PacedStartsOptions {
  /** How long a claim holds a request (a drainer that dies leaves it to the next one after this). */
  leaseMs: number;
  /** How long a caller's own start waits for the pace before leaving its request to a drainer. */
  inlineWaitMs: number;
  /** A drain keeps at least twice this many requests claimed ahead, claiming up to twice this many at once. */
  block: number;
  /** Backoff after a throttled start: full jitter over `baseMs` doubling per attempt, capped at `maxMs`. */
  backoff: { baseMs: number; maxMs: number };
  /** How often an empty queue is looked at again while a drain waits for more (`until`). */
  pollMs: number;
}

/**
 * How late after its token's due time a start may still be made: the pace leaves `ARRIVAL_MARGIN_SECONDS` for the
 * call to reach Step Functions; half of it for getting to the call (a table write slower than its lead, a busy event
 * loop), half for the call's way there. A start later than this waits for another token (this one is lost), so that
 * late starts never bunch up beyond `burst` + `rate` in a second.
 */
const LATEST_START_MS = (ARRIVAL_MARGIN_SECONDS * 1000) / 2;

/** Started requests deleted together (the rest when the drain ends). */
const DELETE_BLOCK = 25;

/** A request being started: how many of its executions are not answered yet, and whether it was given back. */
interface Progress {
  request: QueuedStart;
  left: number;
  /** How many of its executions were handed to Step Functions (by this drain). */
  launched: number;
  /** Given back with a backoff after an execution failed to start: it is not deleted, whatever the others do. */
  released: boolean;
}

/** One execution waiting for its token, with its request's progress. */
interface Launch {
  progress: Progress;
  execution: Execution;
}

function progressOf(request: QueuedStart): Progress {
  return { request, left: request.executions.length, launched: 0, released: false };
}

/** The first requests whose executions add up to `limit` (at least one request). */
function upTo(requests: QueuedStart[], limit: number): QueuedStart[] {
  let count = 0;
  const taken: QueuedStart[] = [];
  for (const request of requests) {
    if (taken.length > 0 && count + request.executions.length > limit) break;
    taken.push(request);
    count += request.executions.length;
  }
  return taken;
}

export const DEFAULT_PACED_STARTS: PacedStartsOptions = {
  leaseMs: CALLER_REQUEST_LEASE_MS,
  inlineWaitMs: 5_000,
  block: 25,
  backoff: { baseMs: 1_000, maxMs: 60_000 },
  pollMs: 200,
};

/** Wall time, waiting and randomness, injectable for tests. */
export interface PaceTime {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/**
 * The one way executions of the review and delivery workflows are started: each start is a durable request in the
 * table first (a batch row's in the row's own transaction), and each StartExecution call takes a token from the
 * system's one bucket (`DynamoPace`), so every batch, every Lambda instance, reviews and deliveries together stay
 * within one configured rate (`START_EXECUTION_RATE`) under Step Functions' account-wide quota.
 *
 * - `request` (behind `ReviewWorkflow.start`, `DeliveryWorkflow.start`): writes the request claimed by the caller,
 *   then starts it if the pace gives a token within `inlineWaitMs`; otherwise (or throttled anyway) it stays for a
 *   drainer. The caller's start is done once the request is durable.
 * - `drain` (a batch's reviews during and after its ingestion; the scheduled sweep of whatever is left behind): claims
 *   requests a block at a time, takes tokens, starts, deletes.
 *
 * A request is deleted only once Step Functions has its execution (`ExecutionAlreadyExists` counts: names are
 * deterministic). A throttled start gives its request back with exponential backoff and full jitter (`backoff`), to
 * be claimed again by any drainer; nothing is lost when a process dies holding one (its lease runs out).
 */
export class PacedStarts implements ExecutionStarter, StartDrainer {
  constructor(
    private readonly queue: DynamoStartQueue,
    private readonly pace: DynamoPace,
    private readonly launcher: ExecutionLauncher,
    private readonly options: PacedStartsOptions = DEFAULT_PACED_STARTS,
    private readonly time: PaceTime = { now: Date.now, sleep: defaultSleep, random: Math.random },
  ) {}

  /**
   * Makes the start of `execution` durable, then starts it if the pace allows soon enough.
   * @throws what Step Functions answers other than throttling (the request stays for a drainer)
   */
  async request(execution: Execution, options?: { requested?: boolean }): Promise<void> {
    const now = this.time.now();
    const request = options?.requested
      ? requestedStart(execution)
      : await this.queue.put(execution, { requestedAt: new Date(now).toISOString(), leaseUntil: now + this.options.leaseMs });
    for (;;) {
      const [due] = await this.pace.take(1, now + this.options.inlineWaitMs);
      if (due === undefined) {
        // No token in time: the request is free at once for the next drain (the sweep).
        await this.queue.release(request, { until: 0 });
        return;
      }
      await this.until(due);
      if (this.time.now() - due <= LATEST_START_MS) break;
    }
    const outcome = await this.launch(progressOf(request), execution);
    if (outcome === 'started') await this.queue.remove([request]);
    if (outcome instanceof Error) throw outcome;
  }

  /**
   * A pipeline: the executions of requests taken (a batch's, which its drain owns) or claimed (any other) wait in
   * `ready`, topped up a shard query at a time while starts go on; each block of tokens starts that many at once,
   * without waiting for the block before to be answered; a request whose executions all started is deleted, 25 at a
   * time. What is still claimed when the drain ends is given back at once.
   */
  async drain(options: { batchId?: string; budgetMs: number; until?: () => boolean }): Promise<{ started: number; done: boolean }> {
    const deadline = this.time.now() + options.budgetMs;
    const stopped = () => options.until?.() === true || this.time.now() >= deadline;
    const batch = options.batchId === undefined ? {} : { batchId: options.batchId };
    const ready: Launch[] = [];
    const done: QueuedStart[] = [];
    const pending = new Set<Promise<unknown>>();
    const track = (work: Promise<unknown>) => {
      pending.add(work);
      // Failures are thrown by `Promise.all(pending)` below; this only forgets the work once it is settled.
      const forget = () => pending.delete(work);
      work.then(forget, forget);
    };
    let started = 0;
    let failure: unknown;
    // When the drain stops (`until`, the deadline), starts whose tokens are not due yet are not made (but for the rest
    // of a group of which some started): waiting for them would hold the caller (a chunk whose rows are written) for up
    // to a couple of round trips of the table, for nothing — the time until the next drain runs passes either way, and
    // what the tokens would have started waits for the next drain (a batch's requests stay its batch's; claimed ones go
    // back). A token left unused only slows the pace.
    let stopping = false;
    let stopWaiting = () => {};
    const stoppedWaiting = new Promise<void>((resolve) => {
      stopWaiting = resolve;
    });
    const skipped: Launch[] = [];
    const enqueue = (requests: QueuedStart[]) => {
      for (const request of requests) {
        const progress = progressOf(request);
        for (const execution of request.executions) ready.push({ progress, execution });
      }
    };
    let shard = Math.floor(this.time.random() * START_QUEUE_SHARDS);
    // Whether the last round over the shards passed over requests held by others or backing off.
    let held = false;
    // Known to be empty: no need to look again at the end.
    let empty = false;
    // Whether the last round read every shard from its start (what "found nothing" means then: nothing at all).
    let wholeRound = true;
    // A batch's drain owns the batch's requests (held by the batch: no claim each). It reads each shard on from where
    // it got to, and keeps the names it took, so as not to take one twice while its start and delete are under way.
    const owned = options.batchId !== undefined;
    const after = new Map<number, Record<string, unknown>>();
    const readToEnd = new Set<number>();
    const taken = new Set<string>();
    // One round over the shards, up to the first that has requests to take: takes (or claims) them; how many.
    const claimRound = async (): Promise<number> => {
      held = false;
      // Every shard read to its end: the round reads every one again from its start (requests back from a backoff).
      if (readToEnd.size === START_QUEUE_SHARDS) {
        after.clear();
        readToEnd.clear();
      }
      wholeRound = after.size === 0 && readToEnd.size === 0;
      for (let looked = 0; looked < START_QUEUE_SHARDS; looked++) {
        const current = shard;
        shard = (shard + 1) % START_QUEUE_SHARDS;
        if (readToEnd.has(current)) continue;
        const now = this.time.now();
        const from = after.get(current);
        const found = await this.queue.claimable({ shard: current, limit: this.options.block * 2, now, ...batch, ...(from ? { after: from } : {}) });
        held ||= found.held;
        if (!owned) {
          if (found.requests.length === 0) continue;
          // No more executions than a block's worth at a time: what is claimed must start within the lease.
          const claimed = await this.queue.claim(upTo(found.requests, this.options.block * 2), now, now + this.options.leaseMs);
          enqueue(claimed);
          return claimed.length;
        }
        if (found.next) after.set(current, found.next);
        else readToEnd.add(current);
        const fresh = found.requests.filter((request) => !taken.has(request.key.sk));
        held ||= fresh.length < found.requests.length;
        for (const request of fresh) taken.add(request.key.sk);
        enqueue(fresh);
        if (fresh.length > 0) return fresh.length;
      }
      return 0;
    };
    let refill: Promise<number> | undefined;
    const flush = () => {
      if (done.length > 0) track(this.queue.remove(done.splice(0)));
    };

    while (!stopped()) {
      if (ready.length < this.options.block * 2 && refill === undefined) {
        const round = claimRound();
        const forget = () => {
          if (refill === round) refill = undefined;
        };
        round.then(forget, forget);
        refill = round;
      }
      if (ready.length === 0) {
        if ((await refill) ?? 0) continue;
        // A whole round found nothing to claim: done, unless requests are held by others (or by this drain's starts
        // still under way), backing off, or (with `until`) still to come.
        flush();
        const own = pending.size > 0;
        // Its own starts settle first; but a drain that `until` may stop does not wait out starts due later (its tokens
        // taken ahead) before it looks at `until` again.
        if (options.until === undefined) await Promise.all(pending);
        else await Promise.race([Promise.all(pending), this.time.sleep(this.options.pollMs)]);
        if (options.until === undefined && !held && !own && wholeRound) {
          empty = true;
          break;
        }
        if (options.until === undefined && !(await this.queue.anyLeft(options.batchId))) break;
        await this.time.sleep(Math.max(0, Math.min(this.options.pollMs, deadline - this.time.now())));
        continue;
      }
      // A short wait at a time, so that `until` and the deadline are heeded while tokens are scarce. As many as are
      // ready: the pace hands out no more than are due within about a round trip of its store (a batch's group of
      // requests can put a thousand executions in `ready`).
      const due = await this.pace.take(ready.length, Math.min(deadline, this.time.now() + 250));
      // Each execution starts when its token is due (a moment ahead, at most: see DynamoPace), without holding up the
      // next take; once the drain stops, those not due yet are skipped (see `stopping`).
      for (const [i, launch] of ready.splice(0, due.length).entries()) {
        const { progress, execution } = launch;
        const at = due[i] ?? 0;
        track(
          Promise.race([this.until(at), stoppedWaiting])
            .then(async (): Promise<'started' | 'throttled' | Error | 'skipped'> => {
              if (stopping && at > this.time.now()) {
                if (progress.launched === 0) {
                  skipped.push(launch);
                  return 'skipped';
                }
                // Part of its group has started: the rest too, when due, rather than the whole group again next time.
                await this.until(at);
              }
              if (this.time.now() - at > LATEST_START_MS) {
                // Too late for its token (see LATEST_START_MS): it waits for another, or for the next drain.
                if (stopping) skipped.push(launch);
                else ready.unshift(launch);
                return 'skipped';
              }
              progress.launched++;
              return this.launch(progress, execution);
            })
            .then((outcome) => {
              if (outcome === 'skipped') return;
              progress.left--;
              if (outcome === 'started') started++;
              else failure ??= outcome === 'throttled' ? undefined : outcome;
              if (progress.left > 0) return;
              if (progress.released) {
                // Back after its backoff, to be taken again (its executions that did start are started again: harmless).
                taken.delete(progress.request.key.sk);
                return;
              }
              done.push(progress.request);
              if (done.length >= DELETE_BLOCK) flush();
            }),
        );
      }
    }
    stopping = true;
    stopWaiting();
    await refill;
    await Promise.all(pending);
    flush();
    // Claimed requests not started go back at once (not those already given back with a backoff); a batch's stay its batch's.
    const unstarted = new Set([...ready, ...skipped].filter((launch) => !launch.progress.released).map((launch) => launch.progress.request));
    await Promise.all([...pending, ...(owned ? [] : [...unstarted].map((request) => this.queue.release(request, { until: 0 })))]);
    if (failure) throw failure;
    // Requests it did not get to are left for certain: no need to ask the table (which a busy table answers slowly).
    const left = ready.length > 0 || skipped.length > 0;
    return { started, done: empty || (!left && !(await this.queue.anyLeft(options.batchId))) };
  }

  /**
   * One StartExecution call for an execution of a claimed request. Throttled or failed, the request goes back with its
   * backoff and what went wrong (once, however many of its executions fail); a failure other than throttling is
   * returned, for the caller to throw once its work is settled.
   */
  private async launch(progress: Progress, execution: Execution): Promise<'started' | 'throttled' | Error> {
    let outcome: 'started' | 'throttled' | Error;
    try {
      outcome = await this.launcher.launch(execution);
    } catch (error) {
      outcome = error instanceof Error ? error : new Error(String(error));
      log.error('execution start failed', { machine: execution.machine, name: execution.name, error });
    }
    if (outcome !== 'started' && !progress.released) {
      progress.released = true;
      const failed = outcome === 'throttled' ? 'ThrottlingException' : outcome.name;
      await this.queue.release(progress.request, { until: this.time.now() + this.backoffMs(progress.request.attempts), failed });
    }
    return outcome;
  }

  /** Resolves at `at` (epoch ms), at once if that has passed. */
  private until(at: number): Promise<void> {
    const waitMs = at - this.time.now();
    return waitMs > 0 ? this.time.sleep(waitMs) : Promise.resolve();
  }

  private backoffMs(attempts: number): number {
    const { baseMs, maxMs } = this.options.backoff;
    return Math.floor(this.time.random() * Math.min(maxMs, baseMs * 2 ** attempts));
  }
}

