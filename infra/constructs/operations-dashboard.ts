import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { METRIC_NAMES } from '../../shared/observability/metric-names.ts';
import { apiServerErrorRate, type MonitoredResources, serviceMetric, webhookFailureRate } from './operations-alarms.ts';

export interface OperationsDashboardProps extends MonitoredResources {
  /** Shown first, by state. */
  alarms: readonly cloudwatch.IAlarm[];
}

const FIVE_MINUTES = Duration.minutes(5);
const WIDTH = 8;
const HEIGHT = 6;

/**
 * One CloudWatch dashboard, named after the stack: the alarms' states, then a row each for the API (requests, errors,
 * latency), the workflows (executions by outcome), what waits (dead-letter queues, stream iterator age, webhook
 * deliveries), the functions (errors, throttles, duration, one line per function) and the business (applications,
 * batch rows).
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const functions = [...props.functions.api, ...props.functions.events, ...props.functions.workflowTasks];
    const workflows = { ...props.workflows, Delivery: props.deliveryWorkflow };
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: WIDTH, height: HEIGHT, period: FIVE_MINUTES });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: Stack.of(this).stackName,
      defaultInterval: Duration.hours(12),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 3 * WIDTH, height: HEIGHT })],
        [
          graph('API requests', [props.api.metricCount({ statistic: cloudwatch.Stats.SUM, label: 'Requests' })]),
          graph(
            'API errors',
            [
              props.api.metricClientError({ statistic: cloudwatch.Stats.SUM, label: '4xx' }),
              props.api.metricServerError({ statistic: cloudwatch.Stats.SUM, label: '5xx' }),
            ],
            [apiServerErrorRate(props.api)],
          ),
          graph('API latency', [
            props.api.metricLatency({ statistic: cloudwatch.Stats.p(50), label: 'p50' }),
            props.api.metricLatency({ statistic: cloudwatch.Stats.p(99), label: 'p99' }),
          ]),
        ],
        Object.entries(workflows).map(([name, machine]) =>
          graph(`${name} executions`, [
            machine.metricStarted({ statistic: cloudwatch.Stats.SUM, label: 'Started' }),
            machine.metricSucceeded({ statistic: cloudwatch.Stats.SUM, label: 'Succeeded' }),
            machine.metricFailed({ statistic: cloudwatch.Stats.SUM, label: 'Failed' }),
            machine.metricTimedOut({ statistic: cloudwatch.Stats.SUM, label: 'Timed out' }),
          ]),
        ),
        [
          graph(
            'Dead-letter queues (messages)',
            Object.entries(props.deadLetterQueues).map(([name, queue]) =>
              queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, label: name }),
            ),
          ),
          graph(
            'Stream iterator age (ms)',
            Object.entries(props.streamConsumers).map(([name, fn]) =>
              fn.metric('IteratorAge', { statistic: cloudwatch.Stats.MAXIMUM, label: name }),
            ),
          ),
          graph(
            'Webhook delivery attempts',
            [
              serviceMetric(METRIC_NAMES.deliveriesSucceeded, FIVE_MINUTES).with({ label: 'Succeeded' }),
              serviceMetric(METRIC_NAMES.deliveriesFailed, FIVE_MINUTES).with({ label: 'Failed' }),
            ],
            [webhookFailureRate()],
          ),
        ],
        [
          graph('Lambda errors', perFunction(functions, 'Errors', cloudwatch.Stats.SUM)),
          graph('Lambda throttles', perFunction(functions, 'Throttles', cloudwatch.Stats.SUM)),
          graph('Lambda duration p99 (ms)', perFunction(functions, 'Duration', cloudwatch.Stats.p(99))),
        ],
        [
          graph('Applications', [
            serviceMetric(METRIC_NAMES.applicationsCreated, FIVE_MINUTES).with({ label: 'Created' }),
            serviceMetric(METRIC_NAMES.applicationsSubmitted, FIVE_MINUTES).with({ label: 'Submitted' }),
            serviceMetric(METRIC_NAMES.applicationsDecided, FIVE_MINUTES).with({ label: 'Decided' }),
            serviceMetric(METRIC_NAMES.applicationsFailed, FIVE_MINUTES).with({ label: 'Failed' }),
          ]),
          graph('Batch rows ingested', [serviceMetric(METRIC_NAMES.batchRowsIngested, FIVE_MINUTES).with({ label: 'Rows' })]),
        ],
      ],
    });
  }
}

/** One line per function, labelled with its construct id (its deployed name carries a hash). */
function perFunction(functions: readonly lambda.IFunction[], metricName: string, statistic: string): cloudwatch.IMetric[] {
  return functions.map((fn) => fn.metric(metricName, { statistic, label: fn.node.id }));
}
