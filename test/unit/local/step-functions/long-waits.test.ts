/**
 * Waits longer than Node's timer can hold (~24.8 days; a longer `setTimeout` fires after 1 ms). Fake timers reproduce
 * that overflow, so these tests fail if any timer of the engine or of the library is given such a delay.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalStepFunctions } from '../../../../infra/local/step-functions/local-step-functions.ts';
import { approvalHarness } from './approval-harness.ts';

const DAY_MS = 24 * 3600 * 1000;
const DAY_S = 24 * 3600;

let engine: LocalStepFunctions | undefined;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  vi.useRealTimers();
});

describe('LocalStepFunctions with waits longer than ~24.8 days', () => {
  it('keeps a 30-day token task open past the interpreter timer renewal and completes it on its token', async () => {
    // Prepare
    const h = approvalHarness({ finish: (payload) => payload.approval }, { timeScale: 1 });
    engine = h.sfn;
    const { executionArn } = h.sfn.startExecution({
      stateMachineArn: h.stateMachineArn,
      input: JSON.stringify({ id: 'a', mode: 'direct', approvalTimeoutSeconds: 30 * DAY_S, heartbeatSeconds: 40 * DAY_S }),
    });
    await vi.advanceTimersByTimeAsync(1);
    const token = h.calls.requestApproval[0].token as string;

    // Act
    await vi.advanceTimersByTimeAsync(29 * DAY_MS);
    const after29Days = h.sfn.describeExecution(executionArn).status;
    h.sfn.sendTaskSuccess({ taskToken: token, output: '{"approved":true}' });
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(after29Days).toBe('RUNNING');
    expect(h.calls.requestApproval).toHaveLength(1);
    expect(h.sfn.describeExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', output: '{"approved":true}' });
  });

  it('does not count the renewals of the interpreter timer as transitions', async () => {
    // Prepare
    const h = approvalHarness({}, { timeScale: 1 });
    engine = h.sfn;
    const { executionArn } = h.sfn.startExecution({
      stateMachineArn: h.stateMachineArn,
      input: JSON.stringify({ id: 'a', mode: 'direct', approvalTimeoutSeconds: 60 * DAY_S, heartbeatSeconds: 90 * DAY_S }),
    });
    await vi.advanceTimersByTimeAsync(1);
    const token = h.calls.requestApproval[0].token as string;

    // Act: two renewals (every 20 days) while the task waits
    await vi.advanceTimersByTimeAsync(45 * DAY_MS);
    h.sfn.sendTaskSuccess({ taskToken: token, output: '{"approved":true}' });
    await vi.advanceTimersByTimeAsync(1);
    await h.sfn.waitForExecution(executionArn);

    // Assess
    expect(Object.fromEntries(h.sfn.transitions().get(h.stateMachineArn) ?? [])).toEqual({
      PrepareTask: 1,
      Route: 1,
      AwaitApproval: 1,
      FinishTask: 1,
    });
  });

  it('times a 30-day token task out at 30 days, not before', async () => {
    // Prepare
    const h = approvalHarness({}, { timeScale: 1 });
    engine = h.sfn;
    const { executionArn } = h.sfn.startExecution({
      stateMachineArn: h.stateMachineArn,
      input: JSON.stringify({ id: 'a', mode: 'direct', approvalTimeoutSeconds: 30 * DAY_S, heartbeatSeconds: 40 * DAY_S }),
    });

    // Act
    await vi.advanceTimersByTimeAsync(30 * DAY_MS - 1000);
    const justBefore = h.sfn.describeExecution(executionArn).status;
    await vi.advanceTimersByTimeAsync(1000);

    // Assess
    expect(justBefore).toBe('RUNNING');
    expect(h.sfn.describeExecution(executionArn)).toMatchObject({ status: 'FAILED', error: 'ApprovalTimedOut' });
  });

  it('waits 30 days in a Wait state, not less', async () => {
    // Prepare
    const h = approvalHarness({}, { timeScale: 1 });
    engine = h.sfn;
    h.sfn.startExecution({
      stateMachineArn: h.stateMachineArn,
      input: JSON.stringify({ id: 'a', mode: 'pause', pauseSeconds: 30 * DAY_S, approvalTimeoutSeconds: 60, heartbeatSeconds: 60 }),
    });

    // Act
    await vi.advanceTimersByTimeAsync(30 * DAY_MS - 1000);
    const invokedBefore = h.calls.requestApproval.length;
    await vi.advanceTimersByTimeAsync(1000);

    // Assess
    expect(invokedBefore).toBe(0);
    expect(h.calls.requestApproval).toHaveLength(1);
  });

  it('times a whole execution out after its 30-day TimeoutSeconds, not before', async () => {
    // Prepare
    const sfn = new LocalStepFunctions({
      stateMachines: [
        {
          arn: 'arn:aws:states:local:000000000000:stateMachine:Slow',
          definition: { TimeoutSeconds: 30 * DAY_S, StartAt: 'Sleep', States: { Sleep: { Type: 'Wait', Seconds: 60 * DAY_S, End: true } } },
        },
      ],
      invoke: async () => null,
    });
    engine = sfn;
    const { executionArn } = sfn.startExecution({ stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:Slow' });

    // Act
    await vi.advanceTimersByTimeAsync(30 * DAY_MS - 1000);
    const justBefore = sfn.describeExecution(executionArn).status;
    await vi.advanceTimersByTimeAsync(1000);

    // Assess
    expect(justBefore).toBe('RUNNING');
    expect(sfn.describeExecution(executionArn)).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
  });
});
