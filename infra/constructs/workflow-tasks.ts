import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { WORKFLOW_ERROR_NAMES } from '../../shared/domain/errors.ts';
import { acknowledgeWildcardResource } from './nag.ts';

/**
 * Errors worth retrying in any Lambda task: the project's own `TransientError` (throttling, lost races), the Lambda
 * service's own hiccups, and the function's instance dying under it (`Runtime.ExitError`: out of memory, a crash) or
 * running out of time (`Sandbox.Timedout`). Every task is idempotent against the records, so running one again after
 * it crashed half-way is safe; without these two, a crashed task went straight to its Catch and failed the
 * application (found with the local fault plan, `FAULTS=lambda:crash:…`).
 */
export const LAMBDA_TRANSIENT_ERRORS = [
  WORKFLOW_ERROR_NAMES.transient,
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Runtime.ExitError',
  'Sandbox.Timedout',
];

export interface LambdaTaskOptions {
  payload: sfn.TaskInput;
  resultPath: string;
  integrationPattern?: sfn.IntegrationPattern;
  taskTimeout?: sfn.Timeout;
}

/**
 * A `LambdaInvoke` with the project's defaults: the function's return value (not the invoke envelope) lands at
 * `resultPath`, technical failures are retried with exponential backoff and full jitter, and every task has a timeout
 * (a Lambda task never needs more than its function's 30 s; waits for a token carry their own).
 */
export function lambdaTask(
  scope: Construct,
  id: string,
  fn: lambda.IFunction,
  options: LambdaTaskOptions,
): tasks.LambdaInvoke {
  const waits = options.integrationPattern === sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN;
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payload: options.payload,
    // With a token the output is whatever SendTaskSuccess sent; without, take the function's return value.
    // (CDK rejects payloadResponseOnly next to any explicit integrationPattern, even REQUEST_RESPONSE, the default.)
    ...(waits ? { integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN } : { payloadResponseOnly: true }),
    resultPath: options.resultPath,
    taskTimeout: options.taskTimeout ?? sfn.Timeout.duration(Duration.seconds(60)),
    retryOnServiceExceptions: false,
  });
  task.addRetry({
    errors: LAMBDA_TRANSIENT_ERRORS,
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 5,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}

/**
 * The cdk-nag findings every workflow of the project has, acknowledged on the state machine with their reasons. Any
 * other wildcard (a task function not listed, a `*` action) still fails the synth.
 */
export function acknowledgeWorkflowFindings(stateMachine: sfn.StateMachine, taskFunctions: lambda.IFunction[]): void {
  Validations.of(stateMachine).acknowledge({
    id: 'AwsSolutions-SF1',
    reason:
      'Standard workflows keep the full event history of every execution (console, GetExecutionHistory) for 90 days after ' +
      'it closes; CloudWatch gets the ERROR events for alarms, without execution data (it holds customer details).',
  });
  acknowledgeWildcardResource(
    stateMachine.role,
    '*',
    'CloudWatch Logs vended-log delivery (logs:*LogDelivery, PutResourcePolicy, Describe*) and X-Ray APIs support only Resource "*".',
  );
  for (const fn of taskFunctions) {
    acknowledgeWildcardResource(
      stateMachine.role,
      `${fn.functionArn}:*`,
      "LambdaInvoke's grant covers this task function's versions and aliases (':*'); the machine invokes only its own tasks.",
    );
  }
}

export interface StandardWorkflowProps {
  definition: sfn.IChainable;
  stateMachineName?: string;
  /** How long one execution may run before Step Functions ends it. */
  timeout: Duration;
  /** The Lambda functions its tasks invoke (for the cdk-nag acknowledgements of its role). */
  taskFunctions: lambda.IFunction[];
}

/**
 * A Standard state machine with the project's defaults: X-Ray tracing, ERROR-level logs without execution data
 * (executions carry customer details; Standard keeps the full history for 90 days anyway) to a log group of its own.
 * Construct ids `Logs` and `StateMachine` under `scope`.
 */
export function standardWorkflow(scope: Construct, props: StandardWorkflowProps): sfn.StateMachine {
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    retention: logs.RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    ...(props.stateMachineName ? { stateMachineName: props.stateMachineName } : {}),
    stateMachineType: sfn.StateMachineType.STANDARD,
    definitionBody: sfn.DefinitionBody.fromChainable(props.definition),
    timeout: props.timeout,
    tracingEnabled: true,
    logs: { destination: logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: false },
  });
  acknowledgeWorkflowFindings(stateMachine, props.taskFunctions);
  return stateMachine;
}
