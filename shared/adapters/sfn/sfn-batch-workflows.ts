import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { TransientError } from '../../domain/errors.ts';
import type { BatchIngestionWorkflow } from '../../ports/batch-services.ts';

const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'ServiceUnavailable', 'RequestLimitExceeded']);

function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? '';
}

/** Starts one ingestion execution per run of a batch (`<batchId>-<n>`); the same name again joins it. */
export class SfnBatchIngestion implements BatchIngestionWorkflow {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: { batchId: string; tenantId: string; name: string }): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: input.name,
          input: JSON.stringify({ batchId: input.batchId, tenantId: input.tenantId }),
        }),
      );
    } catch (error) {
      if (errorName(error) === 'ExecutionAlreadyExists') return;
      if (THROTTLED.has(errorName(error))) throw new TransientError('Step Functions throttled the start; retry.', { cause: error });
      throw error;
    }
  }
}
