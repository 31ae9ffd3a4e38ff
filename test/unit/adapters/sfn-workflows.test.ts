import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SfnExecutionLauncher } from '../../../shared/adapters/sfn/paced-starts.ts';
import { SfnDeliveryWorkflow, SfnReviewWorkflow } from '../../../shared/adapters/sfn/sfn-workflows.ts';
import type { Execution, ExecutionStarter } from '../../../shared/ports/execution-starts.ts';

const sfn = mockClient(SFNClient);
// The mocks replace the clients' `send` for every instance: put it back for the test files that share this process.
afterAll(() => {
  sfn.restore();
});
const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:review';

function awsError(name: string): Error {
  return Object.assign(new Error(name), { name, $metadata: {} });
}

/** The start queue as the workflows see it: what they ask to start. */
function recordingStarter(): ExecutionStarter & { requested: Execution[] } {
  const requested: Execution[] = [];
  return { requested, request: async (execution) => void requested.push(execution) };
}

describe('SfnReviewWorkflow', () => {
  beforeEach(() => sfn.reset());

  it('asks to start the execution named after the run, with the ids as input (through the start queue)', async () => {
    // Prepare
    const starter = recordingStarter();
    const workflow = new SfnReviewWorkflow(new SFNClient({}), ARN, starter);

    // Act
    await workflow.start({ applicationId: 'app_1', tenantId: 'tnt_1', name: 'app_1-1' });

    // Assess
    expect(starter.requested).toEqual([{ machine: 'review', name: 'app_1-1', input: { applicationId: 'app_1', tenantId: 'tnt_1' } }]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('resumes a token with the output as JSON, and reports a stale token as false', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand, { taskToken: 'live' }).resolves({});
    sfn.on(SendTaskSuccessCommand, { taskToken: 'gone' }).rejects(awsError('TaskDoesNotExist'));
    sfn.on(SendTaskSuccessCommand, { taskToken: 'timed-out' }).rejects(awsError('TaskTimedOut'));
    const workflow = new SfnReviewWorkflow(new SFNClient({}), ARN, recordingStarter());

    // Act
    const live = await workflow.resume('live', { outcome: 'approved' });
    const gone = await workflow.resume('gone', {});
    const timedOut = await workflow.resume('timed-out', {});

    // Assess
    expect([live, gone, timedOut]).toEqual([true, false, false]);
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({
      taskToken: 'live',
      output: '{"outcome":"approved"}',
    });
  });

  it('does not hide other SendTaskSuccess failures', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).rejects(awsError('AccessDeniedException'));
    const workflow = new SfnReviewWorkflow(new SFNClient({}), ARN, recordingStarter());

    // Act
    const resumed = workflow.resume('token', {});

    // Assess
    await expect(resumed).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('SfnReviewWorkflow.stop', () => {
  beforeEach(() => sfn.reset());

  it('stops the run by its execution ARN, and accepts a run that no longer exists', async () => {
    // Prepare
    sfn.on(StopExecutionCommand).resolvesOnce({ stopDate: new Date() }).rejectsOnce(awsError('ExecutionDoesNotExist'));
    const workflow = new SfnReviewWorkflow(new SFNClient({}), ARN, recordingStarter());

    // Act
    await workflow.stop({ name: 'app_1-2', cause: 'Withdrawn by the agency' });
    const again = workflow.stop({ name: 'app_1-2', cause: 'Withdrawn by the agency' });

    // Assess
    await expect(again).resolves.toBeUndefined();
    expect(sfn.commandCalls(StopExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:review:app_1-2',
      error: 'Withdrawn',
      cause: 'Withdrawn by the agency',
    });
  });
});

describe('SfnDeliveryWorkflow', () => {
  it('names the run after the delivery (a redelivery -r<n>) and hands it the wait before its first attempt, in whole seconds', async () => {
    // Prepare
    const starter = recordingStarter();
    const workflow = new SfnDeliveryWorkflow(starter);

    // Act
    await workflow.start({ deliveryId: 'dlv_1', tenantId: 'tnt_1', waitSeconds: 12.6 });
    await workflow.start({ deliveryId: 'dlv_2', tenantId: 'tnt_1', run: 2 });

    // Assess
    expect(starter.requested).toEqual([
      { machine: 'delivery', name: 'dlv_1', input: { deliveryId: 'dlv_1', tenantId: 'tnt_1', waitSeconds: 13 } },
      { machine: 'delivery', name: 'dlv_2-r2', input: { deliveryId: 'dlv_2', tenantId: 'tnt_1', waitSeconds: 0 } },
    ]);
  });
});

describe('SfnExecutionLauncher', () => {
  beforeEach(() => sfn.reset());
  const launcher = () => new SfnExecutionLauncher(new SFNClient({}), { review: ARN, delivery: 'arn:delivery' });
  const execution: Execution = { machine: 'review', name: 'app_1-1', input: { applicationId: 'app_1', tenantId: 'tnt_1' } };

  it('starts the execution on its machine, with its input as JSON', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });

    // Act
    const outcome = await launcher().launch(execution);

    // Assess
    expect(outcome).toBe('started');
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: ARN,
      name: 'app_1-1',
      input: JSON.stringify({ applicationId: 'app_1', tenantId: 'tnt_1' }),
    });
  });

  it('counts ExecutionAlreadyExists as started: names are deterministic, so it is this very run', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists'));

    // Act
    const outcome = await launcher().launch(execution);

    // Assess
    expect(outcome).toBe('started');
  });

  it('reports throttling as such (the request is kept and tried again), and rethrows anything else', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejectsOnce(awsError('ThrottlingException')).rejectsOnce(awsError('StateMachineDoesNotExist'));

    // Act
    const throttled = await launcher().launch(execution);
    const missing = launcher().launch(execution);

    // Assess
    expect(throttled).toBe('throttled');
    await expect(missing).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});
