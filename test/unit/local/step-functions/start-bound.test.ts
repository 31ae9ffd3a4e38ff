/**
 * `maxStartingExecutions`: executions over the bound wait, RUNNING, in a FIFO queue before their first state, with no
 * timer running; a slot is given back when the execution ends, parks on a token or waits in a Wait state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalStepFunctions } from '../../../../infra/local/step-functions/local-step-functions.ts';
import { approvalHarness, type TestHandler, until } from './approval-harness.ts';

const input = (id: string, fields: Record<string, unknown> = {}): string =>
  JSON.stringify({ id, mode: 'direct', approvalTimeoutSeconds: 3600, heartbeatSeconds: 3600, ...fields });

/** A `prepare` function that blocks until released, counting how many run at once. */
function blockingPrepare(): {
  handler: TestHandler;
  running: () => number;
  maxRunning: () => number;
  /** How many calls wait to be released. */
  blocked: () => number;
  releaseOne: () => void;
  releaseAll: () => void;
} {
  const waiting: (() => void)[] = [];
  let running = 0;
  let maxRunning = 0;
  let released = false;
  return {
    handler: async (payload) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      if (!released) {
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      running -= 1;
      return { prepared: payload.id };
    },
    running: () => running,
    maxRunning: () => maxRunning,
    blocked: () => waiting.length,
    releaseOne: () => waiting.shift()?.(),
    releaseAll: () => {
      released = true;
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}

/** A `.waitForTaskToken` function that decides at once (completes its own token before it returns): no park. */
const approveAtOnce: TestHandler = (payload, sfn) => {
  sfn.sendTaskSuccess({ taskToken: payload.token, output: '{"approved":true}' });
  return {};
};

let engine: LocalStepFunctions | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

describe('LocalStepFunctions with maxStartingExecutions', () => {
  it('lets at most the bound step at once, FIFO; starts return at once and queued executions show RUNNING', async () => {
    // Prepare
    const prepare = blockingPrepare();
    const h = approvalHarness({ prepare: prepare.handler, requestApproval: approveAtOnce }, { maxStartingExecutions: 2 });
    engine = h.sfn;

    // Act
    const started = performance.now();
    const arns = Array.from({ length: 10 }, (_, i) =>
      h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, name: `e${i}`, input: input(`app-${i}`) }).executionArn,
    );
    const startMs = performance.now() - started;
    await until(() => prepare.running() === 2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const whileBlocked = { calls: h.calls.prepare.length, queue: h.sfn.startQueue };
    const statuses = arns.map((arn) => h.sfn.describeExecution(arn).status);
    const listed = h.sfn.listExecutions({ stateMachineArn: h.stateMachineArn, statusFilter: 'RUNNING' }).executions;
    const idle = h.sfn.whenIdle();
    // Released one by one: each freed slot goes to the next queued execution.
    for (let released = 0; released < 10; released++) {
      await until(() => prepare.blocked() > 0);
      prepare.releaseOne();
    }
    await idle;

    // Assess
    expect(startMs).toBeLessThan(200);
    expect(whileBlocked).toEqual({ calls: 2, queue: { starting: 2, queued: 8 } });
    expect(statuses).toEqual(Array(10).fill('RUNNING'));
    expect(listed).toHaveLength(10);
    expect(prepare.maxRunning()).toBe(2);
    expect(h.calls.prepare.map((p) => p.id)).toEqual(arns.map((_, i) => `app-${i}`));
    expect(arns.map((arn) => h.sfn.describeExecution(arn).status)).toEqual(Array(10).fill('SUCCEEDED'));
    expect(h.sfn.startQueue).toEqual({ starting: 0, queued: 0 });
  });

  it('frees the slot of an execution parked on a .waitForTaskToken task; its resumption needs none', async () => {
    // Prepare: the approval function returns without completing its token, so every execution parks there.
    const h = approvalHarness({ finish: (payload) => payload.approval }, { maxStartingExecutions: 1 });
    engine = h.sfn;
    const arns = Array.from({ length: 5 }, (_, i) =>
      h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input(`app-${i}`) }).executionArn,
    );

    // Act
    await until(() => h.calls.requestApproval.length === 5);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const parked = h.sfn.startQueue;
    for (const payload of h.calls.requestApproval) {
      h.sfn.sendTaskSuccess({ taskToken: payload.token, output: '{"approved":true}' });
    }
    const results = await Promise.all(arns.map((arn) => h.sfn.waitForExecution(arn)));

    // Assess
    expect(parked).toEqual({ starting: 0, queued: 0 });
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('SUCCEEDED'));
  });

  it('resumes parked executions while the slots are held by others', async () => {
    // Prepare: the first execution parks; the second holds the only slot in a blocked prepare.
    let block = false;
    const prepare = blockingPrepare();
    const h = approvalHarness(
      { prepare: (payload, sfn) => (block ? prepare.handler(payload, sfn) : { prepared: true }), finish: () => 'done' },
      { maxStartingExecutions: 1 },
    );
    engine = h.sfn;
    const parked = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input('parked') });
    await until(() => h.calls.requestApproval.length === 1);
    await until(() => h.sfn.startQueue.starting === 0);
    block = true;
    const holder = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input('holder') });
    const queued = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input('queued') });
    await until(() => prepare.running() === 1);

    // Act
    h.sfn.sendTaskSuccess({ taskToken: h.calls.requestApproval[0].token, output: '{}' });
    const resumed = await h.sfn.waitForExecution(parked.executionArn);

    // Assess
    expect(resumed.status).toBe('SUCCEEDED');
    expect(h.sfn.describeExecution(holder.executionArn).status).toBe('RUNNING');
    expect(h.sfn.startQueue).toEqual({ starting: 1, queued: 1 });
    expect(h.sfn.describeExecution(queued.executionArn).status).toBe('RUNNING');
    prepare.releaseAll();
  });

  it('frees the slot of an execution waiting in a Wait state', async () => {
    // Prepare: a 10 000 s pause (10 s at timeScale 0.001), longer than the test.
    const h = approvalHarness({}, { maxStartingExecutions: 1 });
    engine = h.sfn;

    // Act
    for (const id of ['a', 'b', 'c']) {
      h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input(id, { mode: 'pause', pauseSeconds: 10_000 }) });
    }
    await until(() => h.calls.prepare.length === 3);
    await new Promise((resolve) => setTimeout(resolve, 10));

    // Assess
    expect(h.sfn.startQueue).toEqual({ starting: 0, queued: 0 });
    expect(h.calls.requestApproval).toHaveLength(0);
  });

  it('stops a queued execution: ABORTED, out of the queue, never runs a state', async () => {
    // Prepare
    const prepare = blockingPrepare();
    const h = approvalHarness({ prepare: prepare.handler, requestApproval: approveAtOnce }, { maxStartingExecutions: 1 });
    engine = h.sfn;
    const first = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input('first') });
    const second = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, name: 'second', input: input('second') });
    const third = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input('third') });
    await until(() => prepare.running() === 1);

    // Act
    const { stopDate } = h.sfn.stopExecution({ executionArn: second.executionArn, error: 'Withdrawn', cause: 'gone' });
    const stopped = await h.sfn.waitForExecution(second.executionArn);
    const queueAfterStop = h.sfn.startQueue;
    prepare.releaseAll();
    const results = await Promise.all([first, third].map((e) => h.sfn.waitForExecution(e.executionArn)));

    // Assess
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'Withdrawn', cause: 'gone', stopDate });
    expect(queueAfterStop).toEqual({ starting: 1, queued: 1 });
    expect(h.calls.prepare.map((p) => p.id)).toEqual(['first', 'third']);
    expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(() =>
      h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, name: 'second', input: input('second') }),
    ).toThrow(expect.objectContaining({ name: 'ExecutionAlreadyExists' }));
  });

  it('runs no task timer while an execution is queued', async () => {
    // Prepare: PrepareTask times out after 60 s, scaled to 60 ms; each prepare takes 30 ms, one at a time, so the last
    // of six waits ~150 ms in the queue, well past the 60 ms timeout it would have if its timers ran there.
    const h = approvalHarness(
      {
        prepare: async () => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          return { prepared: true };
        },
        requestApproval: approveAtOnce,
      },
      { maxStartingExecutions: 1, timeoutScale: 0.001 },
    );
    engine = h.sfn;

    // Act
    const arns = Array.from({ length: 6 }, (_, i) =>
      h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input(`app-${i}`) }).executionArn,
    );
    const started = Date.now();
    const results = await Promise.all(arns.map((arn) => h.sfn.waitForExecution(arn)));

    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(results.map((r) => r.status)).toEqual(Array(6).fill('SUCCEEDED'));
  });

  it('aborts queued executions on close without running them', async () => {
    // Prepare
    const prepare = blockingPrepare();
    const h = approvalHarness({ prepare: prepare.handler }, { maxStartingExecutions: 1 });
    engine = h.sfn;
    const arns = ['a', 'b', 'c'].map(
      (id) => h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input(id) }).executionArn,
    );
    await until(() => prepare.running() === 1);

    // Act
    await h.sfn.close();
    prepare.releaseAll();

    // Assess
    expect(arns.map((arn) => h.sfn.describeExecution(arn).status)).toEqual(['ABORTED', 'ABORTED', 'ABORTED']);
    expect(h.calls.prepare).toHaveLength(1);
    expect(h.sfn.startQueue).toEqual({ starting: 0, queued: 0 });
  });

  it('without a bound (the default), every execution starts stepping at once', async () => {
    // Prepare
    const prepare = blockingPrepare();
    const h = approvalHarness({ prepare: prepare.handler, requestApproval: approveAtOnce });
    engine = h.sfn;

    // Act
    for (let i = 0; i < 10; i++) {
      h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input(`app-${i}`) });
    }
    await until(() => prepare.running() === 10);
    const queue = h.sfn.startQueue;
    prepare.releaseAll();
    await h.sfn.whenIdle();

    // Assess
    expect(queue).toEqual({ starting: 10, queued: 0 });
    expect(prepare.maxRunning()).toBe(10);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => approvalHarness({}, { maxStartingExecutions: 0 })).toThrow(/maxStartingExecutions/);
    expect(() => approvalHarness({}, { maxStartingExecutions: 1.5 })).toThrow(/maxStartingExecutions/);
    expect(() => approvalHarness({}, { maxStartingExecutions: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});
