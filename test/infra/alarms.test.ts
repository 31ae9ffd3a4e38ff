import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.ts';
import { ALARM_THRESHOLDS, balancedChunks } from '../../infra/constructs/operations-alarms.ts';
import { BATCH_TASKS, DELIVERY_TASKS, REVIEW_TASKS } from '../../infra/stacks/catalog.ts';
import { METRIC_NAMES, METRICS_NAMESPACE, METRICS_SERVICE } from '../../shared/observability/metric-names.ts';
import { appFunctions, type CfnResource, ofType, refTarget, synthesize } from './synth.ts';

// Prepare (once for the file: synthesizing costs seconds)
const synth = synthesize();
const template = synth.service;
const resources = synth.serviceResources;
const alarms = ofType(resources, 'AWS::CloudWatch::Alarm');
const [[topicId] = []] = ofType(resources, 'AWS::SNS::Topic');
const toTopic = [{ Ref: topicId }];

interface MetricStatQuery {
  Id: string;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] }; Period: number; Stat: string };
  Expression?: string;
  ReturnData?: boolean;
}
const queriesOf = (alarm: CfnResource) => (alarm.Properties?.Metrics ?? []) as MetricStatQuery[];

/** The state machine's logical id that an `Fn::GetAtt [id, 'Name']`-style dimension points at, and so on. */
const dimension = (alarm: CfnResource, name: string) =>
  refTarget(((alarm.Properties?.Dimensions ?? []) as { Name: string; Value: unknown }[]).find((d) => d.Name === name)?.Value);

/** The alarms on one metric of one resource (a single-metric alarm whose dimension `dimensionName` points at `id`). */
const alarmsOn = (metricName: string, dimensionName: string, id: string) =>
  alarms.filter(([, a]) => a.Properties?.MetricName === metricName && dimension(a, dimensionName) === id);

describe('alarm topic', () => {
  it('is encrypted with a rotated customer managed key that CloudWatch may use (the AWS managed key would drop every alarm)', () => {
    // Assess
    const [[keyId] = []] = ofType(resources, 'AWS::KMS::Key');
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it("takes publications over TLS only, from this account's alarms named after the stack", () => {
    // Assess
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: toTopic,
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', Match.arrayWith([':alarm:IcpCancelService-*'])] } },
            },
          }),
        ]),
      },
    });
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });

  it('has no subscription unless the alarmEmail context names an address, and refuses anything else', () => {
    // Prepare
    const withEmail = (alarmEmail: unknown) => {
      const built = buildApp(
        new App({ context: { 'aws:cdk:bundling-stacks': [], alarmEmail }, builtinCloudFormationValidation: false }),
      );
      return Template.fromStack(built.serviceStack);
    };

    // Act
    const subscribed = withEmail('ops@example.com');

    // Assess
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    subscribed.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: toTopic[0] });
    expect(() => withEmail('ops at example')).toThrow(/alarmEmail must be an e-mail address/);
  });
});

describe('alarms', () => {
  it('all notify the topic on ALARM and OK, evaluate one period, treat missing data as not breaching, and are named after the stack', () => {
    // Assess
    expect(alarms.length).toBeGreaterThan(0);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties, id).toMatchObject({
        AlarmActions: toTopic,
        OKActions: toTopic,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
        AlarmName: expect.stringMatching(/^IcpCancelService-/),
      });
      expect(alarm.Properties?.AlarmDescription, id).toBeTruthy();
    }
  });

  it('watch every dead-letter queue: any message visible (Maximum over 5 minutes > 0)', () => {
    // Prepare: a dead-letter queue is where a stream mapping or an asynchronous invocation sends what still fails.
    const onFailure = [...ofType(resources, 'AWS::Lambda::EventSourceMapping'), ...ofType(resources, 'AWS::Lambda::EventInvokeConfig')]
      .map(([, r]) => refTarget((r.Properties?.DestinationConfig as { OnFailure?: { Destination: unknown } })?.OnFailure?.Destination))
      .filter((id): id is string => id !== undefined);
    const queues = ofType(resources, 'AWS::SQS::Queue').map(([id]) => id);

    // Assess
    expect(new Set(onFailure)).toEqual(new Set(queues));
    expect(queues).toHaveLength(5);
    for (const queue of queues) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: toTopic,
      });
    }
  });

  it('watch every state machine for failed and timed-out executions', () => {
    // Prepare
    const machines = ofType(resources, 'AWS::StepFunctions::StateMachine');
    const [[deliveryId] = []] = machines.filter(([, m]) => m.Properties?.StateMachineName === 'IcpCancelService-delivery');

    // Assess
    expect(machines).toHaveLength(3);
    for (const [id] of machines) {
      for (const metricName of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/States',
          MetricName: metricName,
          Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: id } }],
          Statistic: 'Sum',
          Period: 300,
          Threshold: 0,
          AlarmActions: toTopic,
        });
      }
    }
    // A delivery given up ends its execution succeeded; a failed one is ours (giving up failed: the delivery is stuck).
    expect(alarmsOn('ExecutionsFailed', 'StateMachineArn', deliveryId as string)).toHaveLength(1);
  });

  it('watch the webhook failure rate: above 20% of delivery attempts over 15 minutes (at least 20), from the metrics the functions publish', () => {
    // Prepare
    const metric = (metricName: string) =>
      Match.objectLike({
        MetricStat: {
          Metric: { Namespace: METRICS_NAMESPACE, MetricName: metricName, Dimensions: [{ Name: 'service', Value: METRICS_SERVICE }] },
          Period: 900,
          Stat: 'Sum',
        },
        ReturnData: false,
      });

    // Assess
    expect(ALARM_THRESHOLDS).toMatchObject({ webhookFailurePercent: 20, webhookMinAttempts: 20 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'IcpCancelService-WebhookFailureRate',
      Threshold: 20,
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression:
            'IF((FILL(succeeded, 0) + FILL(failed, 0)) >= 20, 100 * FILL(failed, 0) / (FILL(succeeded, 0) + FILL(failed, 0)), 0)',
          ReturnData: true,
        }),
        metric(METRIC_NAMES.deliveriesSucceeded),
        metric(METRIC_NAMES.deliveriesFailed),
      ]),
    });
  });

  it("watch the API's 5xx rate: above 1% of requests over 5 minutes (at least 20)", () => {
    // Prepare
    const [[apiId] = []] = ofType(resources, 'AWS::ApiGatewayV2::Api');
    const metric = (metricName: string) =>
      Match.objectLike({
        MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: metricName, Dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }] }, Period: 300, Stat: 'Sum' },
      });

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'IcpCancelService-Api-5xxRate',
      Threshold: 1,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)', ReturnData: true }),
        metric('5xx'),
        metric('Count'),
      ]),
    });
  });

  it('watch throttles of every function, and errors of every function but the workflow tasks (their named errors drive Retry/Catch)', () => {
    // Prepare: which functions each Lambda group alarm sums, by metric.
    const watched = (metricName: string) =>
      alarms.flatMap(([id, alarm]) => {
        const queries = queriesOf(alarm).filter((q) => q.MetricStat?.Metric.MetricName === metricName);
        if (queries.length === 0) return [];
        expect(queries.length, id).toBeLessThanOrEqual(10);
        expect(alarm.Properties?.Threshold, id).toBe(0);
        expect(queriesOf(alarm).find((q) => q.ReturnData !== false)?.Expression, id).toBe(
          `SUM([${queries.map((q) => `FILL(${q.Id}, 0)`).join(', ')}])`,
        );
        return queries.map((q) => {
          expect(q.MetricStat, id).toMatchObject({ Metric: { Namespace: 'AWS/Lambda' }, Period: 300, Stat: 'Sum' });
          return refTarget(q.MetricStat?.Metric.Dimensions?.find((d) => d.Name === 'FunctionName')?.Value) as string;
        });
      });
    const taskEntries = new Set([...Object.values(REVIEW_TASKS), ...Object.values(DELIVERY_TASKS), ...Object.values(BATCH_TASKS)].map((t) => t.entry));
    const functions = appFunctions(resources);
    const notTasks = functions.filter(([, fn]) => !taskEntries.has(fn.Metadata?.['icp:entry'] as string));

    // Act
    const throttles = watched('Throttles');
    const errors = watched('Errors');

    // Assess: each function exactly once.
    expect(throttles.sort()).toEqual(functions.map(([id]) => id).sort());
    expect(errors.sort()).toEqual(notTasks.map(([id]) => id).sort());
    expect(notTasks.length).toBe(functions.length - taskEntries.size);
  });

  it('watch the iterator age of every stream consumer: above a minute', () => {
    // Prepare
    const consumers = ofType(resources, 'AWS::Lambda::EventSourceMapping').map(([, m]) => refTarget(m.Properties?.FunctionName) as string);

    // Assess
    expect(consumers).toHaveLength(2);
    for (const fn of consumers) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 60_000,
        AlarmActions: toTopic,
      });
    }
  });

  it('are the 27 alarms over 106 metrics that README prices', () => {
    // Act
    const alarmMetrics = alarms.reduce((sum, [, a]) => sum + (a.Properties?.Metrics ? queriesOf(a).filter((q) => q.MetricStat).length : 1), 0);

    // Assess
    expect(alarms).toHaveLength(27);
    expect(alarmMetrics).toBe(106);
  });

  it('group functions in as few groups of at most 10 as possible, of about the same size', () => {
    // Assess
    expect(balancedChunks([...Array(24).keys()], 10).map((c) => c.length)).toEqual([8, 8, 8]);
    expect(balancedChunks([...Array(14).keys()], 10).map((c) => c.length)).toEqual([7, 7]);
    expect(balancedChunks([...Array(5).keys()], 10)).toEqual([[0, 1, 2, 3, 4]]);
    expect(balancedChunks([], 10)).toEqual([]);
  });
});

describe('dashboard', () => {
  it('is one, named after the stack, showing every alarm and the main metrics', () => {
    // Prepare
    const [[, dashboard] = []] = ofType(resources, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard?.Properties?.DashboardBody);

    // Assess
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(dashboard?.Properties?.DashboardName).toBe('IcpCancelService');
    for (const [id] of alarms) expect(body, id).toContain(`"Fn::GetAtt":["${id}","Arn"]`);
    for (const title of [
      'API requests',
      'API errors',
      'API latency',
      'Review executions',
      'BatchIngestion executions',
      'Delivery executions',
      'Dead-letter queues (messages)',
      'Stream iterator age (ms)',
      'Webhook delivery attempts',
      'Lambda errors',
      'Lambda throttles',
      'Lambda duration p99 (ms)',
      'Applications',
      'Batch rows ingested',
    ]) {
      expect(body).toContain(`\\"title\\":\\"${title}\\"`);
    }
    for (const name of Object.values(METRIC_NAMES)) expect(body).toContain(`\\"${name}\\"`);
  });
});
