import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SfnBatchIngestion, SfnReviewStarter } from '../../../shared/adapters/sfn/sfn-batch-workflows.ts';
import { TokenBucket } from '../../../shared/adapters/sfn/token-bucket.ts';
import { TransientError } from '../../../shared/domain/errors.ts';

const sfn = mockClient(SFNClient);
const REVIEW = 'arn:aws:states:eu-west-1:123456789012:stateMachine:IcpCancelService-review';
const BATCHES = 'arn:aws:states:eu-west-1:123456789012:stateMachine:IcpCancelService-batches';

function awsError(name: string): Error {
  return Object.assign(new Error(name), { name, $metadata: {} });
}

function starter(options: { maxAttempts?: number; sleeps?: number[] } = {}) {
  const sleeps = options.sleeps ?? [];
  return new SfnReviewStarter(new SFNClient({}), REVIEW, {
    bucket: new TokenBucket({ refillPerSecond: 1_000_000, capacity: 1_000 }),
    maxAttempts: options.maxAttempts ?? 8,
    baseDelayMs: 100,
    maxDelayMs: 5_000,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 1,
  });
}

const runs = (n: number) => Array.from({ length: n }, (_, i) => ({ applicationId: `app_${i}`, tenantId: 'tnt_1', name: `app_${i}-1` }));

describe('SfnReviewStarter', () => {
  beforeEach(() => sfn.reset());

  it('starts one review execution per run, named after the run, with the ids as input', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });

    // Act
    await starter().startAll(runs(3));

    // Assess
    const inputs = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(3);
    expect(inputs).toContainEqual({ stateMachineArn: REVIEW, name: 'app_1-1', input: JSON.stringify({ applicationId: 'app_1', tenantId: 'tnt_1' }) });
  });

  it('retries a throttled start with exponential backoff until it goes through', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .rejectsOnce(awsError('ThrottlingException'))
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves({ executionArn: 'arn:exec' });
    const sleeps: number[] = [];

    // Act
    await starter({ sleeps }).startAll(runs(1));

    // Assess
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(4);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('counts an execution that already exists as started (a chunk run again starts nothing twice)', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists'));

    // Act
    const started = starter().startAll(runs(2));

    // Assess
    await expect(started).resolves.toBeUndefined();
  });

  it('gives up with a TransientError (the ingestion task is retried) when throttling does not stop', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(awsError('ThrottlingException'));

    // Act
    const started = starter({ maxAttempts: 3 }).startAll(runs(1));

    // Assess
    await expect(started).rejects.toBeInstanceOf(TransientError);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(3);
  });

  it('rethrows other errors unchanged', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(awsError('StateMachineDoesNotExist'));

    // Act
    const started = starter().startAll(runs(1));

    // Assess
    await expect(started).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});

describe('SfnBatchIngestion', () => {
  beforeEach(() => sfn.reset());

  it('starts the run named by the batch, joining it when it exists', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolvesOnce({ executionArn: 'arn:exec' }).rejects(awsError('ExecutionAlreadyExists'));
    const workflow = new SfnBatchIngestion(new SFNClient({}), BATCHES);

    // Act
    await workflow.start({ batchId: 'bat_1', tenantId: 'tnt_1', name: 'bat_1-1' });
    await workflow.start({ batchId: 'bat_1', tenantId: 'tnt_1', name: 'bat_1-1' });

    // Assess
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: BATCHES,
      name: 'bat_1-1',
      input: JSON.stringify({ batchId: 'bat_1', tenantId: 'tnt_1' }),
    });
  });
});
