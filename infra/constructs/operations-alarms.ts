import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  METRIC_NAMES,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  METRICS_SERVICE_DIMENSION,
} from '../../shared/observability/metric-names.ts';

/** The service's functions by how they are invoked, which decides what their errors mean. */
export interface FunctionGroups {
  /** HTTP route handlers: they answer every error they catch with a response, so a Lambda error is a crash or a timeout. */
  api: readonly lambda.IFunction[];
  /** S3- and stream-triggered functions: an error is retried, then dead-lettered. */
  events: readonly lambda.IFunction[];
  /**
   * Step Functions task functions: they throw named errors on purpose (a failed webhook attempt, a lost race) for the
   * state machine's Retry/Catch, so their Lambda errors are not incidents; what is left after the retries shows in
   * the state machines' alarms.
   */
  workflowTasks: readonly lambda.IFunction[];
}

/** What the operations alarms and the dashboard watch, passed in by the stack that owns it. */
export interface MonitoredResources {
  api: apigwv2.IHttpApi;
  /** Every dead-letter queue of the service, by whose failures end in it (`PascalCase`, used in alarm names). */
  deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  /** The state machines whose every failed or timed-out execution is an incident, by name. */
  workflows: Readonly<Record<string, sfn.IStateMachine>>;
  /**
   * The webhook delivery (retry) state machine. A delivery given up after three days of retries is a customer's
   * endpoint that stays broken, expected and theirs to fix: the execution records it and succeeds, and attempts are
   * watched as a rate (`webhookFailureRate`). A failed execution is ours: giving up itself failed, and the delivery was
   * left pending. It gets a failed and a timed-out alarm.
   */
  deliveryWorkflow: sfn.IStateMachine;
  functions: FunctionGroups;
  /** The functions that read the table's stream, by name. */
  streamConsumers: Readonly<Record<string, lambda.IFunction>>;
}

export interface OperationsAlarmsProps extends MonitoredResources {
  /** Where every alarm sends its ALARM and OK notifications. */
  topic: sns.ITopic;
}

/** Thresholds of the alarms whose threshold is not simply "any". */
export const ALARM_THRESHOLDS = {
  /** 5xx answers of the API, in percent of its requests over 5 minutes… */
  apiServerErrorPercent: 1,
  /** …once it had at least this many requests in those 5 minutes (1 error of 3 requests is not a rate). */
  apiMinRequests: 20,
  /** Failed webhook delivery attempts, in percent of all attempts over 15 minutes… */
  webhookFailurePercent: 20,
  /** …once there were at least this many attempts in those 15 minutes. */
  webhookMinAttempts: 20,
  /** The age of the oldest stream record a stream consumer was handed (the stream keeps records 24 h). */
  iteratorAge: Duration.minutes(1),
} as const;

/** CloudWatch evaluates at most 10 metrics in one alarm's math expression (a hard limit). */
const MAX_METRICS_PER_ALARM = 10;

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The service's CloudWatch alarms, every one named `<stack>-…`, sending ALARM and OK to the alarm topic, with missing
 * data treated as not breaching (no traffic is not an incident):
 *
 * - each dead-letter queue: any message visible (Maximum over 5 min > 0): something failed for good and waits for an
 *   operator;
 * - each workflow in `workflows`, and the delivery workflow: any execution failed, any timed out (Sum over 5 min > 0);
 *   and the webhook failure rate;
 * - the API: 5xx answers above 1% of requests (5 min, at least 20 requests);
 * - Lambda: throttles of any function, errors of the API and event functions (see `FunctionGroups`), one alarm per
 *   group of at most 10 functions (a math expression's limit), the functions named in its description;
 * - each stream consumer: iterator age above a minute (the stream is falling behind, or a record is being retried).
 *
 * CloudWatch bills an alarm per metric it evaluates (USD 0.10 a month each), so grouping the functions saves no money;
 * it keeps one incident (the account's concurrency exhausted) from sending forty messages.
 */
export class OperationsAlarms extends Construct {
  /** Every alarm, in creation order (the dashboard shows their states). */
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: SnsAction;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);
    this.prefix = Stack.of(this).stackName;

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.alarm(`${name}DeadLetters`, `DeadLetters-${name}`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: FIVE_MINUTES }),
        threshold: 0,
        description: `Messages in the ${name} dead-letter queue: failures kept after their retries, to replay (README, "Where failures end up").`,
      });
    }

    for (const [name, machine] of Object.entries(props.workflows)) {
      this.alarm(`${name}ExecutionsFailed`, `${name}-ExecutionsFailed`, {
        metric: machine.metricFailed({ statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES }),
        threshold: 0,
        description: `${name} executions failed: a task failed after its retries.`,
      });
    }
    this.alarm('DeliveryExecutionsFailed', 'Delivery-ExecutionsFailed', {
      metric: props.deliveryWorkflow.metricFailed({ statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES }),
      threshold: 0,
      description:
        'Delivery executions failed: recording a given-up delivery failed after its retries, so the delivery is left pending (a customer\'s broken endpoint ends an execution succeeded, not failed).',
    });
    for (const [name, machine] of Object.entries({ ...props.workflows, Delivery: props.deliveryWorkflow })) {
      this.alarm(`${name}ExecutionsTimedOut`, `${name}-ExecutionsTimedOut`, {
        metric: machine.metricTimedOut({ statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES }),
        threshold: 0,
        description: `${name} executions timed out: ended by the state machine's own timeout, not by the workflow.`,
      });
    }

    // Why a rate of attempts and not given-up deliveries: nearly every delivery is made by its first attempt, without a
    // workflow, and a delivery given up is one customer's endpoint broken for three days. A
    // fifth of all attempts failing across every tenant is more likely the sender (signing, DNS, egress, the address
    // guard) than customers; at least 20 attempts so that one broken endpoint on a quiet day does not page.
    this.alarm('WebhookFailureRate', 'WebhookFailureRate', {
      metric: webhookFailureRate(),
      threshold: ALARM_THRESHOLDS.webhookFailurePercent,
      description: `More than ${ALARM_THRESHOLDS.webhookFailurePercent}% of webhook delivery attempts failed in 15 minutes (at least ${ALARM_THRESHOLDS.webhookMinAttempts} attempts).`,
    });

    this.alarm('ApiServerErrorRate', 'Api-5xxRate', {
      metric: apiServerErrorRate(props.api),
      threshold: ALARM_THRESHOLDS.apiServerErrorPercent,
      description: `More than ${ALARM_THRESHOLDS.apiServerErrorPercent}% of API requests answered 5xx in 5 minutes (at least ${ALARM_THRESHOLDS.apiMinRequests} requests).`,
    });

    const groups = props.functions;
    this.lambdaGroupAlarms('Api', groups.api, ['Errors', 'Throttles']);
    this.lambdaGroupAlarms('Events', groups.events, ['Errors', 'Throttles']);
    this.lambdaGroupAlarms('WorkflowTasks', groups.workflowTasks, ['Throttles']);

    for (const [name, fn] of Object.entries(props.streamConsumers)) {
      this.alarm(`${name}IteratorAge`, `${name}-IteratorAge`, {
        metric: fn.metric('IteratorAge', { statistic: cloudwatch.Stats.MAXIMUM, period: FIVE_MINUTES }),
        threshold: ALARM_THRESHOLDS.iteratorAge.toMilliseconds(),
        description: `${name} is handed stream records older than ${ALARM_THRESHOLDS.iteratorAge.toHumanString()}: it falls behind or retries a batch (records leave the stream after 24 h).`,
      });
    }
  }

  /** One alarm per metric and group of at most 10 functions: the sum of that metric over the group above 0. */
  private lambdaGroupAlarms(group: string, functions: readonly lambda.IFunction[], metricNames: ('Errors' | 'Throttles')[]): void {
    const chunks = balancedChunks(functions, MAX_METRICS_PER_ALARM);
    chunks.forEach((chunk, index) => {
      const part = chunks.length > 1 ? `${index + 1}of${chunks.length}` : '';
      const names = chunk.map((fn) => fn.functionName).join(', ');
      for (const metricName of metricNames) {
        this.alarm(`${group}${metricName}${part}`, `Lambda-${group}-${metricName}${part ? `-${part}` : ''}`, {
          metric: sumOfFunctions(chunk, metricName),
          threshold: 0,
          description: `Lambda ${metricName.toLowerCase()} in: ${names}.`,
        });
      }
    });
  }

  private alarm(id: string, name: string, props: { metric: cloudwatch.IMetric; threshold: number; description: string }): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.prefix}-${name}`,
      alarmDescription: props.description,
      metric: props.metric,
      threshold: props.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}

/** The alarm names of a stack, as a pattern for the alarm topic's policy. */
export function alarmNamePattern(stack: Stack): string {
  return `${stack.stackName}-*`;
}

/** One of the service's own (EMF) metrics, summed, with the one dimension every function publishes it with. */
export function serviceMetric(metricName: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [METRICS_SERVICE_DIMENSION]: METRICS_SERVICE },
    statistic: cloudwatch.Stats.SUM,
    period,
  });
}

/** Failed webhook delivery attempts in percent of all attempts, over 15 minutes; 0 below the minimum of attempts. */
export function webhookFailureRate(): cloudwatch.MathExpression {
  const period = Duration.minutes(15);
  const attempts = 'FILL(succeeded, 0) + FILL(failed, 0)';
  return new cloudwatch.MathExpression({
    expression: `IF((${attempts}) >= ${ALARM_THRESHOLDS.webhookMinAttempts}, 100 * FILL(failed, 0) / (${attempts}), 0)`,
    usingMetrics: {
      succeeded: serviceMetric(METRIC_NAMES.deliveriesSucceeded, period),
      failed: serviceMetric(METRIC_NAMES.deliveriesFailed, period),
    },
    label: 'Failed webhook attempts (%)',
    period,
  });
}

/** The API's 5xx answers in percent of its requests, over 5 minutes; 0 below the minimum of requests. */
export function apiServerErrorRate(api: apigwv2.IHttpApi): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `IF(requests >= ${ALARM_THRESHOLDS.apiMinRequests}, 100 * FILL(errors, 0) / requests, 0)`,
    usingMetrics: {
      errors: api.metricServerError({ statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES }),
      requests: api.metricCount({ statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES }),
    },
    label: '5xx (% of requests)',
    period: FIVE_MINUTES,
  });
}

/**
 * The sum of one Lambda metric over some functions. A function not invoked in a period has no data point for it;
 * FILL makes that a 0, so one idle function does not blank the sum of the others.
 */
function sumOfFunctions(functions: readonly lambda.IFunction[], metricName: 'Errors' | 'Throttles'): cloudwatch.MathExpression {
  const usingMetrics = Object.fromEntries(
    functions.map((fn, i) => [`f${i}`, fn.metric(metricName, { statistic: cloudwatch.Stats.SUM, period: FIVE_MINUTES })]),
  );
  return new cloudwatch.MathExpression({
    expression: `SUM([${Object.keys(usingMetrics).map((key) => `FILL(${key}, 0)`).join(', ')}])`,
    usingMetrics,
    label: metricName,
    period: FIVE_MINUTES,
  });
}

/** `items`, in order, in as few chunks of at most `max` as possible, of about the same size (24 → 8, 8, 8). */
export function balancedChunks<T>(items: readonly T[], max: number): T[][] {
  const count = Math.ceil(items.length / max);
  const size = Math.ceil(items.length / Math.max(count, 1));
  return Array.from({ length: count }, (_, i) => items.slice(i * size, (i + 1) * size));
}
