import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** How often the start queue is swept (EventBridge's shortest rate). */
export const START_SWEEP_RATE = Duration.minutes(1);

export interface StartSweepProps {
  /** Starts the start requests left behind, at the system's pace (`functions/starts/sweep-starts.ts`). */
  sweeper: lambda.IFunction;
}

/**
 * The re-drive of the start queue: a schedule invokes the sweeper every minute. Not retried by EventBridge or Lambda
 * (`retryAttempts: 0`): what a failed sweep left is in the table, and the next sweep comes a minute later anyway. No
 * dead-letter queue for the same reason; a failing sweep shows in the functions' error alarm.
 */
export class StartSweep extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: StartSweepProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Starts the StartExecution requests left behind, at the system pace',
      schedule: events.Schedule.rate(START_SWEEP_RATE),
      targets: [new targets.LambdaFunction(props.sweeper, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });
  }
}
