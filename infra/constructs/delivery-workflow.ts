import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { WORKFLOW_ERROR_NAMES } from '../../shared/domain/errors.ts';
import { lambdaTask, standardWorkflow } from './workflow-tasks.ts';

export interface DeliveryWorkflowProps {
  tasks: {
    /** Signs and POSTs one event to one endpoint; throws `DeliveryFailedError` when the attempt should be retried. */
    deliverWebhook: lambda.IFunction;
    /** Records that a delivery gave up after its last retry. */
    giveUpDelivery: lambda.IFunction;
  };
  /** A fixed name, so the ARN is known before the machine exists (see `ReviewWorkflowProps.stateMachineName`). */
  stateMachineName?: string;
}

/**
 * Attempts are spread over about three days: 30 s doubling up to a 6 h cap, 20 attempts in all
 * (30 s … 4.3 h ≈ 8.5 h for the first ten, then ten more 6 h waits ≈ 68 h), with full jitter so that a
 * customer's endpoint coming back is not hit by every retry at once.
 */
export const DELIVERY_RETRY = {
  interval: Duration.seconds(30),
  backoffRate: 2,
  maxDelay: Duration.hours(6),
  maxAttempts: 20,
} as const;

/**
 * The retry workflow of one delivery (an event to one endpoint), so a customer's broken endpoint never holds up a
 * review or another endpoint. The first attempt is made by the dispatcher without a workflow (nearly every delivery
 * succeeds there, and a Standard execution per delivery was half the system's cost); this machine runs only for a
 * delivery whose first attempt failed, and for a manual redelivery. Execution input: `{ deliveryId, tenantId,
 * waitSeconds }`: it first waits `waitSeconds` — the backoff (full jitter over the first 30 s interval) or the
 * endpoint's Retry-After that the dispatcher's attempt earned, 0 for a redelivery — so the schedule is the one a
 * workflow-made first attempt would have had.
 */
export class DeliveryWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: DeliveryWorkflowProps) {
    super(scope, id);
    const ids = { 'deliveryId.$': '$.deliveryId', 'tenantId.$': '$.tenantId' };

    // A delivery given up is the customer's endpoint broken (the delivery log says so): the execution did its job and
    // succeeds. It fails only if recording that fails after the retries, which the Delivery-ExecutionsFailed alarm
    // watches: the delivery would stay pending with nothing left to end it.
    const gaveUp = new sfn.Succeed(this, 'GaveUp', { comment: 'Every attempt failed; the delivery is recorded failed' });
    const giveUp = lambdaTask(this, 'GiveUpDelivery', props.tasks.giveUpDelivery, {
      payload: sfn.TaskInput.fromObject({ ...ids, 'error.$': '$.error' }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    // Idempotent (it sets a pending delivery failed), so anything is retried, for about ten minutes.
    giveUp.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 7, jitterStrategy: sfn.JitterType.FULL });
    giveUp.next(gaveUp);

    const deliver = lambdaTask(this, 'DeliverWebhook', props.tasks.deliverWebhook, {
      payload: sfn.TaskInput.fromObject(ids),
      resultPath: '$.result',
    });
    deliver.addRetry({ errors: [WORKFLOW_ERROR_NAMES.deliveryFailed], ...DELIVERY_RETRY, jitterStrategy: sfn.JitterType.FULL });
    // DeliveryExhaustedError (the attempt budget is spent) and anything unexpected end in GiveUpDelivery.
    deliver.addCatch(giveUp, { errors: ['States.ALL'], resultPath: '$.error' });

    // The endpoint asked for time (Retry-After): wait exactly that long, then attempt again. Step Functions' Retry
    // cannot take its interval from an answer, so this is a loop; the task bounds the total attempts.
    const waitRetryAfter = new sfn.Wait(this, 'WaitRetryAfter', {
      time: sfn.WaitTime.secondsPath('$.result.waitSeconds'),
    }).next(deliver);
    const delivered = new sfn.Succeed(this, 'Delivered');
    const afterAttempt = new sfn.Choice(this, 'HonourRetryAfter')
      .when(sfn.Condition.stringEquals('$.result.outcome', 'retry_after'), waitRetryAfter)
      .otherwise(delivered);

    const waitFirst = new sfn.Wait(this, 'WaitBeforeAttempt', { time: sfn.WaitTime.secondsPath('$.waitSeconds') });

    this.stateMachine = standardWorkflow(this, {
      definition: waitFirst.next(deliver).next(afterAttempt),
      ...(props.stateMachineName ? { stateMachineName: props.stateMachineName } : {}),
      timeout: Duration.days(7),
      taskFunctions: Object.values(props.tasks),
    });
  }
}
