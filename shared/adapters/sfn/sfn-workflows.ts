import { SendTaskSuccessCommand, type SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { deliveryExecution, type ExecutionStarter, reviewExecution } from '../../ports/execution-starts.ts';
import type { DeliveryWorkflow, ReviewWorkflow } from '../../ports/services.ts';

/** Errors that mean "this token's task is over": the workflow moved on, or was restarted with a new token. */
const STALE_TOKEN_ERRORS = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

/**
 * The review workflow. Starts go through `starter` (the start queue at the system's pace, `PacedStarts`): the start is
 * done once it is durable, and the execution follows at the pace. Answering tokens and stopping are direct calls.
 */
export class SfnReviewWorkflow implements ReviewWorkflow {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
    private readonly starter: ExecutionStarter,
  ) {}

  start(input: { applicationId: string; tenantId: string; name: string }, options?: { requested?: boolean }): Promise<void> {
    return this.starter.request(reviewExecution(input), options);
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

/** The webhook delivery (retry) workflow: started through `starter`, like the review. */
export class SfnDeliveryWorkflow implements DeliveryWorkflow {
  constructor(private readonly starter: ExecutionStarter) {}

  start(input: { deliveryId: string; tenantId: string; run?: number; waitSeconds?: number }): Promise<void> {
    return this.starter.request(deliveryExecution(input));
  }
}
