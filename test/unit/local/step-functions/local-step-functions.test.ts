import { afterEach, describe, expect, it } from 'vitest';
import type { LocalStepFunctions } from '../../../../infra/local/step-functions/local-step-functions.ts';
import { approvalHarness, namedError, until } from './approval-harness.ts';

const input = (fields: Record<string, unknown> = {}): string =>
  JSON.stringify({ id: 'app-1', mode: 'direct', approvalTimeoutSeconds: 3600, heartbeatSeconds: 3600, ...fields });

let engine: LocalStepFunctions | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

describe('LocalStepFunctions', () => {
  it('retries a task on its named error, then goes on', async () => {
    // Prepare
    let failures = 0;
    const h = approvalHarness({
      prepare: () => {
        if (failures++ < 2) {
          throw namedError('TransientError', 'throttled');
        }
        return { prepared: true };
      },
      // Completes its own token before it even returns, as a function that decides at once would.
      requestApproval: (payload, sfn) => {
        sfn.sendTaskSuccess({ taskToken: payload.token, output: JSON.stringify({ approved: true }) });
        return { sent: true };
      },
      finish: (payload) => ({ finished: payload.id, approval: payload.approval }),
    });
    engine = h.sfn;

    // Act
    const { executionArn } = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, name: 'retry', input: input() });
    const result = await h.sfn.waitForExecution(executionArn);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(h.calls.prepare).toHaveLength(3);
    expect(JSON.parse(result.output ?? '')).toEqual({ finished: 'app-1', approval: { approved: true } });
    const machineName = h.stateMachineArn.split(':').at(-1);
    expect(executionArn).toBe(`arn:aws:states:local:000000000000:execution:${machineName}:retry`);
  });

  it('counts the state transitions of each execution as AWS bills them: every state entered, and every retry', async () => {
    // Prepare
    let failures = 0;
    const h = approvalHarness({
      prepare: () => {
        if (failures++ < 2) throw namedError('TransientError', 'throttled');
        return { prepared: true };
      },
      requestApproval: (payload, sfn) => {
        sfn.sendTaskSuccess({ taskToken: payload.token, output: JSON.stringify({ approved: true }) });
        return { sent: true };
      },
    });
    engine = h.sfn;

    // Act
    const first = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input() });
    await h.sfn.waitForExecution(first.executionArn);
    const second = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input({ mode: 'pause', pauseSeconds: 1 }) });
    await h.sfn.waitForExecution(second.executionArn);

    // Assess
    expect(Object.fromEntries(h.sfn.transitions().get(h.stateMachineArn) ?? [])).toEqual({
      PrepareTask: 3 + 1,
      Route: 2,
      Pause: 1,
      AwaitApproval: 2,
      FinishTask: 2,
    });
    expect(h.sfn.executionsStarted().get(h.stateMachineArn)).toBe(2);
  });

  it('fails the execution with the Lambda error name and cause once the retries are spent', async () => {
    // Prepare
    const h = approvalHarness({
      prepare: () => {
        throw namedError('TransientError', 'still throttled');
      },
    });
    engine = h.sfn;

    // Act
    const { executionArn } = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input() });
    const result = await h.sfn.waitForExecution(executionArn);

    // Assess
    expect(h.calls.prepare).toHaveLength(4);
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'TransientError',
      cause: JSON.stringify({ errorType: 'TransientError', errorMessage: 'still throttled' }),
    });
  });

  it('catches a named error and routes to the Catch state with the error as its input', async () => {
    // Prepare
    const h = approvalHarness({
      prepare: () => {
        throw namedError('PermanentError', 'no such application');
      },
    });
    engine = h.sfn;

    // Act
    const { executionArn } = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input() });
    const result = await h.sfn.waitForExecution(executionArn);

    // Assess
    expect(h.calls.prepare).toHaveLength(1);
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'PrepareFailed',
      cause: JSON.stringify({ errorType: 'PermanentError', errorMessage: 'no such application' }),
    });
  });

  it('keeps a .waitForTaskToken task open until SendTaskSuccess, then uses its output', async () => {
    // Prepare
    const h = approvalHarness({ finish: (payload) => payload.approval });
    engine = h.sfn;
    const { executionArn } = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input() });
    await until(() => h.calls.requestApproval.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const token = h.calls.requestApproval[0].token as string;

    // Act
    const whileWaiting = h.sfn.describeExecution(executionArn).status;
    h.sfn.sendTaskHeartbeat({ taskToken: token });
    h.sfn.sendTaskSuccess({ taskToken: token, output: '{"approved":true,"by":"authority"}' });
    const result = await h.sfn.waitForExecution(executionArn);

    // Assess
    expect(whileWaiting).toBe('RUNNING');
    expect(h.calls.requestApproval[0]).toEqual({ token, id: 'app-1' });
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? '')).toEqual({ approved: true, by: 'authority' });
    expect(() => h.sfn.sendTaskSuccess({ taskToken: token, output: '{}' })).toThrow(
      expect.objectContaining({ name: 'TaskDoesNotExist' }),
    );
  });

  it('fails a token task with the SendTaskFailure error, which Catch matches by name', async () => {
    // Prepare
    const h = approvalHarness({});
    engine = h.sfn;
    const { executionArn } = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input() });
    await until(() => h.calls.requestApproval.length === 1);

    // Act
    h.sfn.sendTaskFailure({ taskToken: h.calls.requestApproval[0].token, error: 'ApprovalRejected', cause: 'site still up' });
    const result = await h.sfn.waitForExecution(executionArn);

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'Rejected', cause: 'site still up' });
  });

  it('times a token task out after TimeoutSecondsPath with States.Timeout, and its token is over', async () => {
    // Prepare
    const h = approvalHarness({}, { timeoutScale: 0.01 });
    engine = h.sfn;
    const { executionArn } = h.sfn.startExecution({
      stateMachineArn: h.stateMachineArn,
      input: input({ approvalTimeoutSeconds: 2 }),
    });

    // Act
    const started = Date.now();
    const result = await h.sfn.waitForExecution(executionArn);
    const elapsed = Date.now() - started;

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'ApprovalTimedOut' });
    expect(elapsed).toBeGreaterThanOrEqual(15);
    expect(() => h.sfn.sendTaskSuccess({ taskToken: h.calls.requestApproval[0].token, output: '{}' })).toThrow(
      expect.objectContaining({ name: 'TaskDoesNotExist' }),
    );
  });

  it('times a token task out with States.HeartbeatTimeout when no heartbeat comes', async () => {
    // Prepare: the heartbeat is one hour, scaled down to 36 ms; the task's timeout is ten times longer.
    const h = approvalHarness({}, { timeoutScale: 0.00001 });
    engine = h.sfn;
    const { executionArn } = h.sfn.startExecution({
      stateMachineArn: h.stateMachineArn,
      input: input({ approvalTimeoutSeconds: 36_000, heartbeatSeconds: 3600 }),
    });

    // Act
    const result = await h.sfn.waitForExecution(executionArn);

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
  });

  it('tells a token that is not one (InvalidToken) from one that is unknown (TaskDoesNotExist)', () => {
    // Prepare
    const h = approvalHarness({});
    engine = h.sfn;

    // Act
    const garbage = () => h.sfn.sendTaskSuccess({ taskToken: 'not-a-token', output: '{}' });
    const unknown = () =>
      h.sfn.sendTaskFailure({ taskToken: Buffer.from('icp-local-sfn-task:nope').toString('base64url') });

    // Assess
    expect(garbage).toThrow(expect.objectContaining({ name: 'InvalidToken' }));
    expect(unknown).toThrow(expect.objectContaining({ name: 'TaskDoesNotExist' }));
  });

  it('answers which state machine a token belongs to, while its task is open and after it is over', async () => {
    // Prepare
    const h = approvalHarness({});
    engine = h.sfn;
    const { executionArn } = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input() });
    await until(() => h.calls.requestApproval.length === 1);
    const token = h.calls.requestApproval[0].token as string;

    // Act
    const whileOpen = h.sfn.stateMachineOfTaskToken(token);
    h.sfn.stopExecution({ executionArn });
    const afterStop = h.sfn.stateMachineOfTaskToken(token);
    const elsewhere = approvalHarness({}).sfn; // another engine (a restart) no longer knows the execution
    const afterRestart = elsewhere.stateMachineOfTaskToken(token);
    await elsewhere.close();

    // Assess
    expect([whileOpen, afterStop, afterRestart]).toEqual([h.stateMachineArn, h.stateMachineArn, h.stateMachineArn]);
    expect(h.sfn.stateMachineOfTaskToken('not-a-token')).toBeUndefined();
    expect(h.sfn.stateMachineOfTaskToken(Buffer.from('icp-local-sfn-task:nope').toString('base64url'))).toBeUndefined();
  });

  it('mints a new token for each attempt of a task', async () => {
    // Prepare: the first attempt times out, the Catch ends the run; a second execution gets its own token.
    const h = approvalHarness({}, { timeoutScale: 0.001 });
    engine = h.sfn;

    // Act
    const first = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input({ approvalTimeoutSeconds: 1 }) });
    const second = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input({ approvalTimeoutSeconds: 1 }) });
    await h.sfn.waitForExecution(first.executionArn);
    await h.sfn.waitForExecution(second.executionArn);

    // Assess
    const [a, b] = h.calls.requestApproval.map((payload) => payload.token as string);
    expect(a).toEqual(expect.any(String));
    expect(b).toEqual(expect.any(String));
    expect(a).not.toBe(b);
  });

  it('waits for SecondsPath in a Wait state, scaled by timeScale', async () => {
    // Prepare: 50 s at timeScale 0.001 is 50 ms.
    const h = approvalHarness({
      requestApproval: (payload, sfn) => sfn.sendTaskSuccess({ taskToken: payload.token, output: '"yes"' }),
    });
    engine = h.sfn;

    // Act
    const started = Date.now();
    const { executionArn } = h.sfn.startExecution({
      stateMachineArn: h.stateMachineArn,
      input: input({ mode: 'pause', pauseSeconds: 50 }),
    });
    const result = await h.sfn.waitForExecution(executionArn);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('starts an execution once per name: same input while running is idempotent, anything else is refused', async () => {
    // Prepare
    const h = approvalHarness({});
    engine = h.sfn;
    const first = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, name: 'app-1-run-1', input: input() });

    // Act
    const again = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, name: 'app-1-run-1', input: input() });
    const otherInput = () =>
      h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, name: 'app-1-run-1', input: input({ id: 'app-2' }) });
    h.sfn.stopExecution({ executionArn: first.executionArn });
    const afterStop = () =>
      h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, name: 'app-1-run-1', input: input() });

    // Assess
    expect(again).toEqual(first);
    expect(otherInput).toThrow(expect.objectContaining({ name: 'ExecutionAlreadyExists' }));
    expect(afterStop).toThrow(expect.objectContaining({ name: 'ExecutionAlreadyExists' }));
    expect(h.sfn.listExecutions({ stateMachineArn: h.stateMachineArn }).executions).toHaveLength(1);
  });

  it('refuses unknown machines, executions and bad names with the AWS error codes', () => {
    // Prepare
    const h = approvalHarness({});
    engine = h.sfn;
    const unknownMachine = h.stateMachineArn.replace(/:stateMachine:.*/, ':stateMachine:Nope');

    // Act
    const noMachine = () => h.sfn.startExecution({ stateMachineArn: unknownMachine });
    const notArn = () => h.sfn.describeExecution('nope');
    const noExecution = () => h.sfn.describeExecution(`${unknownMachine.replace(':stateMachine:', ':execution:')}:x`);
    const badName = () => h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, name: 'has space' });
    const badInput = () => h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: '{' });

    // Assess
    expect(noMachine).toThrow(expect.objectContaining({ name: 'StateMachineDoesNotExist' }));
    expect(notArn).toThrow(expect.objectContaining({ name: 'InvalidArn' }));
    expect(noExecution).toThrow(expect.objectContaining({ name: 'ExecutionDoesNotExist' }));
    expect(badName).toThrow(expect.objectContaining({ name: 'InvalidName' }));
    expect(badInput).toThrow(expect.objectContaining({ name: 'InvalidExecutionInput' }));
  });

  it('stops an execution: ABORTED with the given error and cause, and its pending token is over', async () => {
    // Prepare
    const h = approvalHarness({});
    engine = h.sfn;
    const { executionArn } = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input() });
    await until(() => h.calls.requestApproval.length === 1);

    // Act
    const { stopDate } = h.sfn.stopExecution({ executionArn, error: 'Withdrawn', cause: 'the customer withdrew' });
    const result = await h.sfn.waitForExecution(executionArn);

    // Assess
    expect(result).toMatchObject({ status: 'ABORTED', error: 'Withdrawn', cause: 'the customer withdrew', stopDate });
    expect(h.calls.finish).toHaveLength(0);
    expect(() => h.sfn.sendTaskSuccess({ taskToken: h.calls.requestApproval[0].token, output: '{}' })).toThrow(
      expect.objectContaining({ name: 'TaskDoesNotExist' }),
    );
    expect(h.sfn.listExecutions({ stateMachineArn: h.stateMachineArn, statusFilter: 'ABORTED' }).executions).toEqual([
      expect.objectContaining({ executionArn, status: 'ABORTED' }),
    ]);
  });

  it('aborts whatever still runs on close', async () => {
    // Prepare
    const h = approvalHarness({});
    engine = h.sfn;
    const { executionArn } = h.sfn.startExecution({ stateMachineArn: h.stateMachineArn, input: input() });
    await until(() => h.calls.requestApproval.length === 1);

    // Act
    await h.sfn.close();

    // Assess
    expect(h.sfn.describeExecution(executionArn).status).toBe('ABORTED');
  });
});
