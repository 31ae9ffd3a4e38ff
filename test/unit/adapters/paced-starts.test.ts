import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoPace } from '../../../shared/adapters/dynamo/dynamo-pace.ts';
import { DynamoApplicationRepository } from '../../../shared/adapters/dynamo/dynamo-application-repository.ts';
import {
  BATCH_REQUEST_LEASE_MS,
  batchStartRequestItem,
  CALLER_REQUEST_LEASE_MS,
  callerStartRequestItem,
  DynamoStartQueue,
  START_QUEUE_SHARDS,
  startKeys,
} from '../../../shared/adapters/dynamo/dynamo-start-queue.ts';
import { applicationItem, keys, shardOf } from '../../../shared/adapters/dynamo/keys.ts';
import { sleep } from '../../../shared/concurrency.ts';
import { ConflictError } from '../../../shared/domain/errors.ts';
import { changeStatus } from '../../../shared/domain/status-change.ts';
import { DEFAULT_PACED_STARTS, type ExecutionLauncher, PacedStarts, type PaceTime } from '../../../shared/adapters/sfn/paced-starts.ts';
import type { Execution } from '../../../shared/ports/execution-starts.ts';
import { busiestWindow } from '../../../infra/local/step-functions/sfn-api-server.ts';
import { anotherTestTable, startTestTable, type TestTable } from '../../support/test-table.ts';
import { draftApplication } from '../use-cases/support/fixtures.ts';

/**
 * A wall clock that moves only when someone sleeps (or the test says so), shared by every "process" of a test. A sleep
 * moves it to the sleeper's waking time, never back: sleepers at once (a drain's starts waiting for their tokens' due
 * times) wake each at its own time, not one after another.
 */
function fakeTime(start = 1_000_000): PaceTime & { advance(ms: number): void; at(): number } {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms) => {
      const wake = now + ms;
      await Promise.resolve();
      now = Math.max(now, wake);
    },
    random: () => 0.5,
    advance: (ms) => {
      now += ms;
    },
    at: () => now,
  };
}

/** Records every launch with the fake time it happened at; `answer` decides what Step Functions says. */
function recordingLauncher(time: { now: () => number }, answer: (execution: Execution, call: number) => 'started' | 'throttled' | Error = () => 'started') {
  const calls: { name: string; at: number; outcome: string }[] = [];
  const launcher: ExecutionLauncher = {
    launch: async (execution) => {
      const outcome = answer(execution, calls.length);
      calls.push({ name: execution.name, at: time.now(), outcome: outcome instanceof Error ? outcome.name : outcome });
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  };
  return { launcher, calls };
}

const review = (name: string): Execution => ({ machine: 'review', name, input: { applicationId: name.replace(/-\d+$/, ''), tenantId: 'tnt_1' } });

describe('the StartExecution pace (DynamoDB Local)', () => {
  let engine: TestTable;
  let table: TestTable;
  let tables = 0;
  beforeAll(async () => {
    engine = await startTestTable('paced-starts-0');
  }, 60_000);
  afterAll(async () => {
    await engine?.stop();
  });
  // Each test its own table: a drain takes whatever requests it finds.
  beforeEach(async () => {
    table = await anotherTestTable(engine, `paced-starts-${++tables}`);
  });

  /** The queue, pace and starts of one "process", on the test's table. */
  function process(time: PaceTime, launcher: ExecutionLauncher, settings = { rate: 40, burst: 10 }) {
    const queue = new DynamoStartQueue(table.documents, table.tableName);
    const pace = new DynamoPace(table.documents, table.tableName, settings, time);
    return { queue, pace, starts: new PacedStarts(queue, pace, launcher, DEFAULT_PACED_STARTS, time) };
  }

  it('hands out a burst, then the rate, to several takers sharing the one item', async () => {
    // Prepare
    const time = fakeTime();
    const settings = { rate: 40, burst: 10 };
    const paces = [1, 2, 3].map(() => new DynamoPace(table.documents, table.tableName, settings, time));
    const taken: number[] = [];

    // Act: three "processes" each wanting 5 at a time, for 3 s of fake time
    const end = time.now() + 3_000;
    for (let more = true; more; ) {
      more = false;
      for (const pace of paces) {
        const due = await pace.take(5, end);
        taken.push(...due);
        more ||= due.length > 0;
      }
    }

    // Assess: 10 at once, then 40 a second: 10 + 40 × 3 at most due by the end (a take reaches a block ahead)
    expect(taken.filter((at) => at <= end).length).toBeLessThanOrEqual(10 + 40 * 3);
    expect(taken.length).toBeGreaterThanOrEqual(40 * 3 - 5);
    expect(busiestWindow(taken)).toBeLessThanOrEqual(10 + 40);
  }, 30_000);

  it('keeps the full rate when each write of the pace takes most of a second (tokens taken ahead, each started when due)', async () => {
    // Prepare: 200 requests of one batch; every write of the pace item answers 600 ms late (DynamoDB Local busy with an
    // ingestion answers like this); a bucket of 10 (burst 35 less half a second of 50 a second). Real time: the
    // wait for each write is what the pace has to outrun. A take that counted only the tokens there when it read the
    // state started 10 a write, about 16 a second here.
    const rows = 200;
    const settings = { rate: 50, burst: 35 };
    const time: PaceTime = { now: Date.now, sleep, random: Math.random };
    const { launcher, calls } = recordingLauncher(time);
    const slowPace = Object.assign(Object.create(Object.getPrototypeOf(table.documents) as object) as typeof table.documents, table.documents, {
      send: async (command: Parameters<typeof table.documents.send>[0]) => {
        const paceWrite = command instanceof PutCommand && (command.input.Item as { pk?: string } | undefined)?.pk === keys.startPace().pk;
        const out = await table.documents.send(command);
        if (paceWrite) await sleep(600);
        return out;
      },
    });
    const starts = new PacedStarts(new DynamoStartQueue(table.documents, table.tableName), new DynamoPace(slowPace, table.tableName, settings, time), launcher, DEFAULT_PACED_STARTS, time);
    const items = Array.from({ length: rows }, (_, i) =>
      batchStartRequestItem([review(`app_bat_S_${String(i + 1).padStart(6, '0')}-1`)], { requestedAt: new Date().toISOString(), batchId: 'bat_S', now: Date.now() }),
    );
    await Promise.all(items.map((Item) => table.documents.send(new PutCommand({ TableName: table.tableName, Item }))));

    // Act
    const drained = await starts.drain({ batchId: 'bat_S', budgetMs: 60_000 });

    // Assess: all started within 1.5× what the pace allows (10 at once, then 50 a second), and within it in any second
    expect(drained).toEqual({ started: rows, done: true });
    const at = calls.map((c) => c.at).sort((a, b) => a - b);
    const spanMs = (at.at(-1) ?? 0) - (at[0] ?? 0);
    expect(spanMs).toBeLessThanOrEqual(1.5 * ((rows - 10) / settings.rate) * 1000);
    expect(busiestWindow(at)).toBeLessThanOrEqual(settings.rate + settings.burst);
  }, 60_000);

  /**
   * A pace that hands out the given due times (ms from the take), one list a take, then nothing until each deadline;
   * `taken` counts the lists handed out.
   */
  function scriptedPace(...takes: number[][]): DynamoPace & { taken: number } {
    const pace = {
      taken: 0,
      take: async (_wanted: number, deadline: number): Promise<number[]> => {
        const next = takes.shift();
        if (next) {
          pace.taken++;
          return next.map((ms) => Date.now() + ms);
        }
        await sleep(Math.max(0, deadline - Date.now()));
        return [];
      },
    };
    return pace as unknown as DynamoPace & { taken: number };
  }
  const time: PaceTime = { now: Date.now, sleep, random: Math.random };
  const put = (batchId: string, executions: Execution[]) =>
    table.documents.send(new PutCommand({ TableName: table.tableName, Item: batchStartRequestItem(executions, { requestedAt: new Date().toISOString(), batchId, now: Date.now() }) }));

  it('makes no start whose token came too late for it (it waits for another), so that late starts cannot bunch up', async () => {
    // Prepare: one request; the pace hands out a token due a second ago (as after a table write far slower than the
    // last ones), then one due now
    const { launcher, calls } = recordingLauncher(time);
    const queue = new DynamoStartQueue(table.documents, table.tableName);
    const pace = scriptedPace([-1_000], [0]);
    const execution = review('app_bat_M_000001-1');
    await put('bat_M', [execution]);

    // Act
    const drained = await new PacedStarts(queue, pace, launcher, DEFAULT_PACED_STARTS, time).drain({ batchId: 'bat_M', budgetMs: 10_000 });

    // Assess: started once, on the second token
    expect(drained).toEqual({ started: 1, done: true });
    expect(calls.map((c) => c.name)).toEqual([execution.name]);
    expect(pace.taken).toBe(2);
  }, 30_000);

  describe('once it stops (a chunk whose rows are written)', () => {
    it('makes no start whose token is not due yet, and leaves its request for the next drain', async () => {
      // Prepare: two requests of a batch; the pace hands out one token due now, then (a take ahead, as when the table
      // answers slowly) one due in 10 s; the drain stops once it has both
      const { launcher, calls } = recordingLauncher(time);
      const queue = new DynamoStartQueue(table.documents, table.tableName);
      const pace = scriptedPace([0], [10_000]);
      const starts = new PacedStarts(queue, pace, launcher, DEFAULT_PACED_STARTS, time);
      const executions = [1, 2].map((row) => review(`app_bat_K_${String(row).padStart(6, '0')}-1`));
      for (const execution of executions) await put('bat_K', [execution]);

      // Act
      const before = Date.now();
      const drained = await starts.drain({ batchId: 'bat_K', budgetMs: 60_000, until: () => pace.taken >= 2 });
      const tookMs = Date.now() - before;

      // Assess: back well before the second token was due; one start; one request still there for the next drain
      expect(tookMs).toBeLessThan(5_000);
      expect(drained).toEqual({ started: 1, done: false });
      expect(calls).toHaveLength(1);
      const again = await new PacedStarts(queue, scriptedPace([0]), launcher, DEFAULT_PACED_STARTS, time).drain({ batchId: 'bat_K', budgetMs: 10_000 });
      expect(again).toEqual({ started: 1, done: true });
      expect(calls.map((c) => c.name).sort()).toEqual(executions.map((e) => e.name).sort());
    }, 30_000);

    it('starts the rest of a group of which some started, when due, rather than the whole group again later', async () => {
      // Prepare: one item naming two reviews (a transaction of two rows); tokens due now and in 1 s
      const { launcher, calls } = recordingLauncher(time);
      const queue = new DynamoStartQueue(table.documents, table.tableName);
      const starts = new PacedStarts(queue, scriptedPace([0, 1_000]), launcher, DEFAULT_PACED_STARTS, time);
      const executions = [1, 2].map((row) => review(`app_bat_L_${String(row).padStart(6, '0')}-1`));
      await put('bat_L', executions);

      // Act
      const drained = await starts.drain({ batchId: 'bat_L', budgetMs: 60_000, until: () => calls.length >= 1 });

      // Assess: both started once, the second no earlier than its token; the request done with
      expect(drained).toEqual({ started: 2, done: true });
      expect(calls.map((c) => c.name)).toEqual(executions.map((e) => e.name));
      expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
      expect(await queue.anyLeft('bat_L')).toBe(false);
    }, 30_000);
  });

  it('reads a bucket item written before tokens were taken ahead (tokens at a time) as the same bucket', async () => {
    // Prepare: the old layout, an empty bucket just now (10 a second: the next token is due in 100 ms)
    const time = fakeTime();
    const asked = time.now();
    await table.documents.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.startPace(), entity: 'pace', tokens: 0, at: asked, version: 3 } }));
    const pace = new DynamoPace(table.documents, table.tableName, { rate: 10, burst: 10 }, time);

    // Act
    const due = await pace.take(1, asked + 1_000);

    // Assess: due when the old bucket would have had it; the item now in the new layout, its version moved on
    expect(due).toEqual([asked + 100]);
    const stored = await table.documents.send(new GetCommand({ TableName: table.tableName, Key: keys.startPace() }));
    expect(stored.Item).toMatchObject({ emptyAt: asked + 100, version: 4 });
    expect(stored.Item).not.toHaveProperty('tokens');
  });

  it('gives up waiting at the deadline, not before, with no token taken', async () => {
    // Prepare
    const time = fakeTime();
    const pace = new DynamoPace(table.documents, table.tableName, { rate: 1, burst: 1 }, time);
    expect(await pace.take(1, time.now() + 10)).toHaveLength(1);

    // Act
    const asked = time.now();
    const taken = await pace.take(1, asked + 100);

    // Assess: none, and not before the deadline (a drain that takes again at once would otherwise spin)
    expect(taken).toEqual([]);
    expect(time.now()).toBe(asked + 100);
  });

  it('makes a request durable before starting it, and deletes it once started', async () => {
    // Prepare
    const time = fakeTime();
    let storedAtLaunch: unknown;
    const calls: string[] = [];
    const launcher: ExecutionLauncher = {
      launch: async (execution) => {
        const key = startKeys.request(execution);
        storedAtLaunch = (await table.documents.send(new GetCommand({ TableName: table.tableName, Key: key }))).Item;
        calls.push(execution.name);
        return 'started';
      },
    };
    const { starts } = process(time, launcher);

    // Act
    await starts.request(review('app_durable-1'));

    // Assess
    expect(calls).toEqual(['app_durable-1']);
    expect(storedAtLaunch).toMatchObject({ entity: 'start_request', machine: 'review', name: 'app_durable-1', input: JSON.stringify(review('app_durable-1').input) });
    const after = await table.documents.send(new GetCommand({ TableName: table.tableName, Key: startKeys.request(review('app_durable-1')) }));
    expect(after.Item).toBeUndefined();
  });

  it('keeps a throttled start and starts it on a later drain, after its backoff', async () => {
    // Prepare: Step Functions throttles the first call
    const time = fakeTime();
    const { launcher, calls } = recordingLauncher(time, (_e, call) => (call === 0 ? 'throttled' : 'started'));
    const { starts } = process(time, launcher);

    // Act
    await starts.request(review('app_throttled-1'));
    const kept = await table.documents.send(new GetCommand({ TableName: table.tableName, Key: startKeys.request(review('app_throttled-1')) }));
    const drained = await starts.drain({ budgetMs: 120_000 });

    // Assess
    expect(kept.Item).toMatchObject({ attempts: 1, lastError: 'ThrottlingException' });
    expect(calls.map((c) => c.outcome)).toEqual(['throttled', 'started']);
    // The retry waited its backoff (full jitter over 1 s after a first failure: 0.5 × 1 s here)
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(500);
    expect(drained).toEqual({ started: 1, done: true });
  });

  it("drains one batch's requests only, at the pace; the sweep leaves a batch's requests to it until their lease runs out", async () => {
    // Prepare: 30 requests of batch A and 5 of batch B, written as ingestion writes them (held by their batch)
    const time = fakeTime();
    const { launcher, calls } = recordingLauncher(time);
    const { queue, starts } = process(time, launcher, { rate: 20, burst: 5 });
    const write = (batchId: string, n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) => {
          const execution = review(`app_${batchId}_${String(i + 1).padStart(6, '0')}-1`);
          const item = batchStartRequestItem([execution], { requestedAt: new Date(time.now()).toISOString(), batchId, now: time.now() });
          return table.documents.send(new PutCommand({ TableName: table.tableName, Item: item }));
        }),
      );
    await write('bat_A', 30);
    await write('bat_B', 5);

    // Act
    const drained = await starts.drain({ batchId: 'bat_A', budgetMs: 60_000 });
    const sweptEarly = await starts.drain({ budgetMs: 1_000 });
    time.advance(BATCH_REQUEST_LEASE_MS);
    const sweptLate = await starts.drain({ budgetMs: 60_000 });

    // Assess
    expect(drained).toEqual({ started: 30, done: true });
    expect(calls.slice(0, 30).every((c) => c.name.startsWith('app_bat_A_'))).toBe(true);
    expect(busiestWindow(calls.slice(0, 30).map((c) => c.at))).toBeLessThanOrEqual(5 + 20);
    expect(sweptEarly).toEqual({ started: 0, done: false });
    expect(sweptLate).toEqual({ started: 5, done: true });
    expect(await queue.anyLeft()).toBe(false);
  });

  it("starts a batch transaction's group of requests one execution per token, and keeps the group until every one of them started", async () => {
    // Prepare: one item naming 12 reviews, as a transaction of 12 submitted rows writes it; Step Functions throttles the 5th call
    const time = fakeTime();
    const executions = Array.from({ length: 12 }, (_, i) => review(`app_bat_G_${String(i + 1).padStart(6, '0')}-1`));
    const { launcher, calls } = recordingLauncher(time, (_, call) => (call === 4 ? 'throttled' : 'started'));
    const { queue, starts } = process(time, launcher, { rate: 20, burst: 5 });
    const item = batchStartRequestItem(executions, { requestedAt: new Date(time.now()).toISOString(), batchId: 'bat_G', now: time.now() });
    await table.documents.send(new PutCommand({ TableName: table.tableName, Item: item }));

    // Act
    const drained = await starts.drain({ batchId: 'bat_G', budgetMs: 60_000 });

    // Assess: one item, not one per row; every review started at the pace; the group was tried again after its backoff
    // (its executions already started are started again, which Step Functions answers as the same run), then deleted
    expect(item).toMatchObject({ entity: 'start_request', machine: 'review', name: executions[0]?.name, batchId: 'bat_G' });
    expect(item).not.toHaveProperty('input');
    const names = new Set(calls.filter((c) => c.outcome === 'started').map((c) => c.name));
    expect([...names].sort()).toEqual(executions.map((e) => e.name).sort());
    expect(calls.filter((c) => c.outcome === 'throttled')).toHaveLength(1);
    expect(busiestWindow(calls.map((c) => c.at))).toBeLessThanOrEqual(5 + 20);
    expect(drained.done).toBe(true);
    expect(await queue.anyLeft()).toBe(false);
  });

  it('claims no more executions at once than two blocks, so that a claimed group starts within its lease', async () => {
    // Prepare: three groups of 40 executions, free for any drainer (their batches' lease has run out)
    const time = fakeTime();
    const { launcher, calls } = recordingLauncher(time);
    const { queue, starts } = process(time, launcher, { rate: 1_000, burst: 1_000 });
    const claimed: number[] = [];
    const counting = Object.assign(Object.create(Object.getPrototypeOf(queue) as object) as DynamoStartQueue, queue, {
      claim: async (...args: Parameters<DynamoStartQueue['claim']>) => {
        const won = await queue.claim(...args);
        claimed.push(won.reduce((sum, r) => sum + r.executions.length, 0));
        return won;
      },
    });
    // Three batches whose groups fall in one shard, so that one query finds them all
    const shardOfGroup = (group: string) => shardOf(`app_bat_${group}_000001-1`, START_QUEUE_SHARDS);
    const groups = Array.from({ length: 200 }, (_, i) => `S${i}`).filter((g) => shardOfGroup(g) === shardOfGroup('S0')).slice(0, 3);
    expect(groups).toHaveLength(3);
    for (const group of groups) {
      const executions = Array.from({ length: 40 }, (_, i) => review(`app_bat_${group}_${String(i + 1).padStart(6, '0')}-1`));
      const item = batchStartRequestItem(executions, { requestedAt: new Date(time.now()).toISOString(), batchId: `bat_${group}`, now: time.now() });
      await table.documents.send(new PutCommand({ TableName: table.tableName, Item: item }));
    }
    time.advance(BATCH_REQUEST_LEASE_MS);
    const sweep = new PacedStarts(counting, new DynamoPace(table.documents, table.tableName, { rate: 1_000, burst: 1_000 }, time), launcher, DEFAULT_PACED_STARTS, time);

    // Act
    const swept = await sweep.drain({ budgetMs: 60_000 });

    // Assess: a group at a time (a second would pass the 50 executions of two blocks)
    expect(swept).toEqual({ started: 120, done: true });
    expect(claimed.filter((n) => n > 0).every((n) => n === 40)).toBe(true);
    expect(new Set(calls.map((c) => c.name)).size).toBe(120);
    expect(await starts.drain({ budgetMs: 1_000 })).toEqual({ started: 0, done: true });
  });

  it('lets one drainer at a time hold a request; another takes it once the holder’s lease has run out', async () => {
    // Prepare: a request claimed by a drainer that then "dies"
    const time = fakeTime();
    const { launcher, calls } = recordingLauncher(time);
    const { queue, starts } = process(time, launcher);
    const request = await queue.put(review('app_orphan-1'), { requestedAt: new Date(time.now()).toISOString(), leaseUntil: time.now() + 30_000 });

    // Act
    const whileHeld = await queue.claim([request], time.now(), time.now() + 30_000);
    const early = await starts.drain({ budgetMs: 1_000 });
    time.advance(30_000);
    const late = await starts.drain({ budgetMs: 1_000 });

    // Assess
    expect(whileHeld).toEqual([]);
    expect(early).toEqual({ started: 0, done: false });
    expect(late).toEqual({ started: 1, done: true });
    expect(calls.map((c) => c.name)).toEqual(['app_orphan-1']);
  });

  it("writes a submission's start request with its status change: a caller that dies before starting it leaves it to the sweep", async () => {
    // Prepare: a draft, and a "process" whose wall clock is the machine's (the repository leases by Date.now())
    const time = fakeTime(Date.now());
    const { launcher, calls } = recordingLauncher(time);
    const { starts } = process(time, launcher);
    const applications = new DynamoApplicationRepository(table.documents, table.tableName);
    const at = new Date(time.now()).toISOString();
    const draft = draftApplication({ id: 'app_dies', tenantId: 'tnt_1', createdAt: at });
    await table.documents.send(new PutCommand({ TableName: table.tableName, Item: applicationItem(draft) }));
    const submit = (eventId: string) => changeStatus(draft, { to: 'submitted', detail: 'Submitted for review', at, eventId, set: { workflowRuns: 1 } });

    // Act: the change commits with its request, and the caller dies before its start
    await applications.applyStatusChange(submit('evt_1'), { start: review('app_dies-1') });
    const stale = await applications.applyStatusChange(submit('evt_2'), { start: review('app_dies-2') }).catch((e: unknown) => e);
    const whileHeld = await starts.drain({ budgetMs: 1_000 });
    time.advance(CALLER_REQUEST_LEASE_MS);
    const swept = await starts.drain({ budgetMs: 1_000 });

    // Assess: held by the caller for its lease, then started by the sweep; the refused change wrote no request
    expect(stale).toBeInstanceOf(ConflictError);
    const refused = await table.documents.send(new GetCommand({ TableName: table.tableName, Key: startKeys.request(review('app_dies-2')) }));
    expect(refused.Item).toBeUndefined();
    expect(whileHeld).toEqual({ started: 0, done: false });
    expect(swept).toEqual({ started: 1, done: true });
    expect(calls.map((c) => c.name)).toEqual(['app_dies-1']);
  });

  it('starts a request the caller wrote itself without writing it again, and deletes it once started', async () => {
    // Prepare: the request as the status change's transaction writes it
    const time = fakeTime(Date.now());
    const { launcher, calls } = recordingLauncher(time);
    const { starts } = process(time, launcher);
    const item = callerStartRequestItem(review('app_own-1'), { requestedAt: new Date(time.now()).toISOString(), now: time.now() });
    await table.documents.send(new PutCommand({ TableName: table.tableName, Item: item }));

    // Act
    await starts.request(review('app_own-1'), { requested: true });

    // Assess
    expect(calls.map((c) => c.name)).toEqual(['app_own-1']);
    const after = await table.documents.send(new GetCommand({ TableName: table.tableName, Key: startKeys.request(review('app_own-1')) }));
    expect(after.Item).toBeUndefined();
  });
});
