import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SfnDeliveryWorkflow, SfnReviewWorkflow } from '../../../shared/adapters/sfn/sfn-workflows.ts';
import { TransientError } from '../../../shared/domain/errors.ts';

const sfn = mockClient(SFNClient);
const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:review';

function awsError(name: string): Error {
  return Object.assign(new Error(name), { name, $metadata: {} });
}

describe('SfnReviewWorkflow', () => {
  beforeEach(() => sfn.reset());

  it('starts an execution named after the run, with the ids as input', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });
    const workflow = new SfnReviewWorkflow(new SFNClient({}), ARN);

    // Act
    await workflow.start({ applicationId: 'app_1', tenantId: 'tnt_1', name: 'app_1-1' });

    // Assess
    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      stateMachineArn: ARN,
      name: 'app_1-1',
      input: JSON.stringify({ applicationId: 'app_1', tenantId: 'tnt_1' }),
    });
  });

  it('treats ExecutionAlreadyExists as success: a retried start joins the same run', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists'));
    const workflow = new SfnReviewWorkflow(new SFNClient({}), ARN);

    // Act
    const started = workflow.start({ applicationId: 'app_1', tenantId: 'tnt_1', name: 'app_1-1' });

    // Assess
    await expect(started).resolves.toBeUndefined();
  });

  it('turns throttling into a TransientError (retried by callers and by Step Functions)', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(awsError('ThrottlingException'));
    const workflow = new SfnReviewWorkflow(new SFNClient({}), ARN);

    // Act
    const started = workflow.start({ applicationId: 'app_1', tenantId: 'tnt_1', name: 'app_1-1' });

    // Assess
    await expect(started).rejects.toBeInstanceOf(TransientError);
  });

  it('rethrows other start errors unchanged', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(awsError('StateMachineDoesNotExist'));
    const workflow = new SfnReviewWorkflow(new SFNClient({}), ARN);

    // Act
    const started = workflow.start({ applicationId: 'app_1', tenantId: 'tnt_1', name: 'app_1-1' });

    // Assess
    await expect(started).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });

  it('resumes a token with the output as JSON, and reports a stale token as false', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand, { taskToken: 'live' }).resolves({});
    sfn.on(SendTaskSuccessCommand, { taskToken: 'gone' }).rejects(awsError('TaskDoesNotExist'));
    sfn.on(SendTaskSuccessCommand, { taskToken: 'timed-out' }).rejects(awsError('TaskTimedOut'));
    const workflow = new SfnReviewWorkflow(new SFNClient({}), ARN);

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
    const workflow = new SfnReviewWorkflow(new SFNClient({}), ARN);

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
    const workflow = new SfnReviewWorkflow(new SFNClient({}), ARN);

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
  beforeEach(() => sfn.reset());

  it('names the execution after the delivery, so dispatching an event twice starts one delivery', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolvesOnce({ executionArn: 'arn:exec' }).rejects(awsError('ExecutionAlreadyExists'));
    const workflow = new SfnDeliveryWorkflow(new SFNClient({}), 'arn:delivery');

    // Act
    await workflow.start({ deliveryId: 'dlv_1', tenantId: 'tnt_1' });
    await workflow.start({ deliveryId: 'dlv_1', tenantId: 'tnt_1' });

    // Assess
    const names = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
    expect(names).toEqual(['dlv_1', 'dlv_1']);
  });

  it('hands the run the wait before its first attempt, as a whole number of seconds (0 unless told)', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });
    const workflow = new SfnDeliveryWorkflow(new SFNClient({}), 'arn:delivery');

    // Act
    await workflow.start({ deliveryId: 'dlv_1', tenantId: 'tnt_1', waitSeconds: 12.6 });
    await workflow.start({ deliveryId: 'dlv_2', tenantId: 'tnt_1', run: 2 });

    // Assess
    const inputs = sfn.commandCalls(StartExecutionCommand).map((c) => [c.args[0].input.name, JSON.parse(c.args[0].input.input ?? '')]);
    expect(inputs).toEqual([
      ['dlv_1', { deliveryId: 'dlv_1', tenantId: 'tnt_1', waitSeconds: 13 }],
      ['dlv_2-r2', { deliveryId: 'dlv_2', tenantId: 'tnt_1', waitSeconds: 0 }],
    ]);
  });
});
