import { SendTaskSuccessCommand, type SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { TransientError } from '../../domain/errors.ts';
import type { DeliveryWorkflow, ReviewWorkflow } from '../../ports/services.ts';

/** Errors that mean "this token's task is over": the workflow moved on, or was restarted with a new token. */
const STALE_TOKEN_ERRORS = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);
const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'ServiceUnavailable']);

async function startExecution(client: SFNClient, stateMachineArn: string, name: string, input: unknown): Promise<void> {
  try {
    await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
  } catch (error) {
    const errorName = (error as { name?: string }).name ?? '';
    // Same name and same input means the execution already runs: starting is idempotent by design.
    if (errorName === 'ExecutionAlreadyExists') return;
    if (THROTTLED.has(errorName)) throw new TransientError('Step Functions throttled the start; retry.', { cause: error });
    throw error;
  }
}

export class SfnReviewWorkflow implements ReviewWorkflow {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  start(input: { applicationId: string; tenantId: string; name: string }): Promise<void> {
    return startExecution(this.client, this.stateMachineArn, input.name, {
      applicationId: input.applicationId,
      tenantId: input.tenantId,
    });
  }

  async resume(token: string, output: unknown): Promise<boolean> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
      return true;
    } catch (error) {
      if (STALE_TOKEN_ERRORS.has((error as { name?: string }).name ?? '')) return false;
      throw error;
    }
  }

  async stop(input: { name: string; cause: string }): Promise<void> {
    // An execution's ARN is its machine's, with `execution` for `stateMachine` and its name appended.
    const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`;
    try {
      await this.client.send(new StopExecutionCommand({ executionArn, error: 'Withdrawn', cause: input.cause }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'ExecutionDoesNotExist') throw error;
    }
  }
}

export class SfnDeliveryWorkflow implements DeliveryWorkflow {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  start(input: { deliveryId: string; tenantId: string; run?: number; waitSeconds?: number }): Promise<void> {
    const name = input.run ? `${input.deliveryId}-r${input.run}` : input.deliveryId;
    // The machine's first state waits `waitSeconds` (a whole number, which Step Functions' SecondsPath requires).
    const waitSeconds = Math.max(0, Math.round(input.waitSeconds ?? 0));
    return startExecution(this.client, this.stateMachineArn, name, { deliveryId: input.deliveryId, tenantId: input.tenantId, waitSeconds });
  }
}
