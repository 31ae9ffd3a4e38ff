import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SfnBatchIngestion } from '../../../shared/adapters/sfn/sfn-batch-workflows.ts';

const sfn = mockClient(SFNClient);
// The mocks replace the clients' `send` for every instance: put it back for the test files that share this process.
afterAll(() => {
  sfn.restore();
});
const BATCHES = 'arn:aws:states:eu-west-1:123456789012:stateMachine:IcpCancelService-batches';

function awsError(name: string): Error {
  return Object.assign(new Error(name), { name, $metadata: {} });
}

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
