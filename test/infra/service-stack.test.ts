import { existsSync, readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, SDK_TRACING_CONTEXT, sdkTracingOf } from '../../infra/constructs/app-function.ts';
import { allEntries, HTTP_ROUTES } from '../../infra/stacks/catalog.ts';
import { appFunctions, type CfnResource, ofType, refTarget, synthesize } from './synth.ts';

// Prepare (once for the file: synthesizing costs seconds)
const synth = synthesize();
const resources = synth.serviceResources;
const functions = appFunctions(resources);

/** The function (logical id and resource) whose `icp:entry` is `entry`. */
function functionFor(entry: string): [string, CfnResource] {
  const found = functions.filter(([, fn]) => fn.Metadata?.['icp:entry'] === entry);
  expect(found, entry).toHaveLength(1);
  return found[0] as [string, CfnResource];
}

function environmentOf(entry: string): Record<string, unknown> {
  const [, fn] = functionFor(entry);
  return (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
}

describe('functions', () => {
  it('are exactly the catalog, each recording an existing entry file that exports its handler', () => {
    // Act
    const entries = functions.map(([, fn]) => fn.Metadata?.['icp:entry'] as string);

    // Assess
    expect(entries.sort()).toEqual(allEntries().sort());
    for (const [id, fn] of functions) {
      const entry = fn.Metadata?.['icp:entry'] as string;
      const handler = fn.Metadata?.['icp:handler'] as string;
      expect(existsSync(`${REPO_ROOT}${entry}`), `${id}: ${entry}`).toBe(true);
      expect(handler, id).toBe('handler');
      expect(readFileSync(`${REPO_ROOT}${entry}`, 'utf8'), entry).toMatch(/export (const|async function|function) handler\b/);
    }
  });

  it('run on arm64 with the current Node.js runtime, 512 MB, 30 s (ingestion chunks 5 min, the dispatcher 2, the review starts of a batch and the start sweep 1.5), X-Ray, their own log group, no reserved concurrency', () => {
    // Act
    const logGroups = Object.fromEntries(ofType(resources, 'AWS::Logs::LogGroup'));

    // Assess
    for (const [id, fn] of functions) {
      expect(fn.Properties, id).toMatchObject({
        Architectures: ['arm64'],
        Runtime: 'nodejs24.x',
        MemorySize: 512,
        Timeout: (
          {
            'functions/batches/ingest-chunk.ts': 300,
            'functions/events/dispatch-events.ts': 120,
            'functions/batches/start-reviews.ts': 90,
            'functions/starts/sweep-starts.ts': 90,
          } as Record<string, number>
        )[fn.Metadata?.['icp:entry'] as string] ?? 30,
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
      expect(fn.Properties?.ReservedConcurrentExecutions, id).toBeUndefined();
      const logGroupId = refTarget((fn.Properties?.LoggingConfig as { LogGroup: unknown }).LogGroup) as string;
      expect(logGroups[logGroupId]?.Properties?.RetentionInDays, id).toBeGreaterThan(0);
      const role = resources[refTarget(fn.Properties?.Role) as string];
      expect(JSON.stringify(role?.Properties?.ManagedPolicyArns ?? []), `${id}: no AWS managed policy`).not.toContain(
        ':iam::aws:policy/',
      );
    }
  });

  it('bundle the Tracer only with -c sdkTracing=true (or "true" from the command line), and refuse any other value', () => {
    // Prepare
    const app = (value?: unknown) => new App(value === undefined ? {} : { context: { [SDK_TRACING_CONTEXT]: value } });

    // Act & Assess
    expect([undefined, false, 'false'].map((v) => sdkTracingOf(app(v)))).toEqual([false, false, false]);
    expect([true, 'true'].map((v) => sdkTracingOf(app(v)))).toEqual([true, true]);
    expect(() => sdkTracingOf(app('yes'))).toThrow('CDK context sdkTracing must be true or false; got "yes"');
  });

  it('get the common environment and only the variables their permissions go with', () => {
    // Act
    const keys = (entry: string) => Object.keys(environmentOf(entry)).sort();
    const common = ['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'EVENT_RETENTION_DAYS', 'LOG_LEVEL', 'TABLE_NAME'];

    // Assess
    for (const [, fn] of functions) {
      const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables).toMatchObject({
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        LOG_LEVEL: 'INFO',
      });
      // Source maps are emitted but not loaded: `--enable-source-maps` would cost every cold start (README).
      expect(variables).not.toHaveProperty('NODE_OPTIONS');
    }
    expect(keys('functions/http/get-application.ts')).toEqual(common);
    expect(keys('functions/http/create-evidence-upload.ts')).toEqual([...common, 'BUCKET_NAME'].sort());
    expect(keys('functions/s3/check-evidence.ts')).toEqual([...common, 'BUCKET_NAME', 'REVIEW_STATE_MACHINE_ARN'].sort());
    expect(keys('functions/http/submit-application.ts')).toEqual([...common, 'REVIEW_STATE_MACHINE_ARN'].sort());
    // The dispatcher makes first delivery attempts, so it gets the webhook sender's settings too.
    expect(keys('functions/events/dispatch-events.ts')).toEqual(
      [...common, 'DELIVERY_STATE_MACHINE_ARN', 'WEBHOOKS_ALLOW_HTTP', 'WEBHOOKS_ALLOW_LOOPBACK'].sort(),
    );
    expect(keys('functions/webhooks/deliver-webhook.ts')).toEqual(
      [...common, 'WEBHOOKS_ALLOW_HTTP', 'WEBHOOKS_ALLOW_LOOPBACK'].sort(),
    );
    expect(environmentOf('functions/webhooks/deliver-webhook.ts')).toMatchObject({
      WEBHOOKS_ALLOW_HTTP: 'false',
      WEBHOOKS_ALLOW_LOOPBACK: 'false',
    });
    expect(environmentOf('functions/workflow/submit-to-authority.ts')).toMatchObject({ AUTHORITY_MODE: 'manual' });
    expect(keys('functions/http/create-batch.ts')).toEqual([...common, 'BATCH_STATE_MACHINE_ARN', 'BUCKET_NAME'].sort());
    expect(keys('functions/batches/manifest-uploaded.ts')).toEqual([...common, 'BATCH_STATE_MACHINE_ARN'].sort());
    expect(keys('functions/http/get-batch.ts')).toEqual(common);
    expect(keys('functions/batches/ingest-chunk.ts')).toEqual([...common, 'BUCKET_NAME', 'REVIEW_STATE_MACHINE_ARN'].sort());
    expect(keys('functions/batches/settle-batches.ts')).toEqual(common);
  });

  it('address the state machines by their fixed names', () => {
    // Act
    const arn = JSON.stringify(environmentOf('functions/http/submit-application.ts').REVIEW_STATE_MACHINE_ARN);
    const machines = ofType(resources, 'AWS::StepFunctions::StateMachine').map(([, m]) => m.Properties?.StateMachineName);

    // Assess
    expect(arn).toContain(':stateMachine:IcpCancelService-review');
    expect(JSON.stringify(environmentOf('functions/http/create-batch.ts').BATCH_STATE_MACHINE_ARN)).toContain(':stateMachine:IcpCancelService-batches');
    // The local runtime finds the batch machine beside the review machine by these names (make-batch-deps.ts).
    expect(machines.sort()).toEqual(['IcpCancelService-batches', 'IcpCancelService-delivery', 'IcpCancelService-review']);
  });
});

describe('HTTP API', () => {
  it('has no gateway authorizer: every handler authenticates (401 problem+json needs the handler)', () => {
    // Act
    const authorizers = ofType(resources, 'AWS::ApiGatewayV2::Authorizer');

    // Assess
    expect(authorizers).toEqual([]);
  });

  it('routes each catalog route to its own function with payload format 2.0', () => {
    // Act
    const routes = ofType(resources, 'AWS::ApiGatewayV2::Route');

    // Assess
    expect(routes.map(([, r]) => r.Properties?.RouteKey).sort()).toEqual(HTTP_ROUTES.map((r) => r.routeKey).sort());
    for (const spec of HTTP_ROUTES) {
      const [, route] = routes.find(([, r]) => r.Properties?.RouteKey === spec.routeKey) as [string, CfnResource];
      expect(route.Properties?.AuthorizationType ?? 'NONE', spec.routeKey).toBe('NONE');
      const target = route.Properties?.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integration = resources[target['Fn::Join'][1][1].Ref];
      const [functionId] = functionFor(spec.entry);
      expect(integration?.Properties, spec.routeKey).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [functionId, 'Arn'] },
      });
      expect(route.Metadata, spec.routeKey).toMatchObject({
        'icp:function': functionId,
        'icp:entry': spec.entry,
        'icp:handler': 'handler',
      });
    }
  });

  it('has no CORS, and a $default stage with access logs and throttling', () => {
    // Act
    const [[, api] = []] = ofType(resources, 'AWS::ApiGatewayV2::Api');

    // Assess
    expect(api?.Properties?.CorsConfiguration).toBeUndefined();
    synth.service.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    synth.service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context.requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
  });
});

describe('event sources', () => {
  it('feeds only inserted outbox events from the table stream to the dispatcher, with bisection, retries and a DLQ', () => {
    // Act
    const [dispatcherId] = functionFor('functions/events/dispatch-events.ts');
    const mappings = ofType(resources, 'AWS::Lambda::EventSourceMapping').filter(([, m]) => refTarget(m.Properties?.FunctionName) === dispatcherId);

    // Assess
    expect(mappings).toHaveLength(1);
    const [[, mapping]] = mappings as [[string, CfnResource]];
    expect(mapping.Properties).toMatchObject({
      FunctionName: { Ref: dispatcherId },
      BatchSize: 25,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['event'] } } } }) }],
      },
    });
    expect(JSON.stringify(mapping.Properties?.EventSourceArn)).toMatch(/StreamArn/);
    const queueId = refTarget((mapping.Properties?.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination);
    expect(resources[queueId as string]?.Properties).toMatchObject({ SqsManagedSseEnabled: true });
    synth.service.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('invokes the evidence checker under evidence/, ingestion under batch-manifests/, the shared evidence check under batch-evidence/', () => {
    // Act
    const notified = (entry: string, prefix: string) => ({
      Events: ['s3:ObjectCreated:*'],
      Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: prefix }] } },
      LambdaFunctionArn: { 'Fn::GetAtt': [functionFor(entry)[0], 'Arn'] },
    });

    // Assess: one custom resource writes the bucket's whole configuration, so there must be exactly one.
    synth.service.resourceCountIs('Custom::S3BucketNotifications', 1);
    synth.service.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          notified('functions/s3/check-evidence.ts', 'evidence/'),
          notified('functions/batches/manifest-uploaded.ts', 'batch-manifests/'),
          notified('functions/batches/check-batch-evidence.ts', 'batch-evidence/'),
        ],
      },
      Managed: false,
    });
  });

  it('keeps the S3 events a notified function still fails on after its retries in an encrypted dead-letter queue', () => {
    // Act
    const configs = ofType(resources, 'AWS::Lambda::EventInvokeConfig');
    const configOf = (entry: string) => configs.filter(([, c]) => refTarget(c.Properties?.FunctionName) === functionFor(entry)[0]);

    // Assess
    for (const entry of ['functions/s3/check-evidence.ts', 'functions/batches/manifest-uploaded.ts', 'functions/batches/check-batch-evidence.ts']) {
      const found = configOf(entry);
      expect(found, entry).toHaveLength(1);
      const [[, config]] = found as [[string, CfnResource]];
      expect(config.Properties, entry).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 6 * 3600 });
      const destination = (config.Properties?.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination;
      const queueId = (destination as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(resources[queueId]?.Type, entry).toBe('AWS::SQS::Queue');
      expect(resources[queueId]?.Properties, entry).toMatchObject({ SqsManagedSseEnabled: true });
    }
  });

  it('feeds the batch settler only final-status events of batch applications, with a DLQ', () => {
    // Act
    const [settlerId] = functionFor('functions/batches/settle-batches.ts');
    const mappings = ofType(resources, 'AWS::Lambda::EventSourceMapping').filter(([, m]) => refTarget(m.Properties?.FunctionName) === settlerId);

    // Assess
    expect(mappings).toHaveLength(1);
    const [[, mapping]] = mappings as [[string, CfnResource]];
    const pattern = JSON.parse((mapping.Properties?.FilterCriteria as { Filters: { Pattern: string }[] }).Filters[0]?.Pattern ?? '{}');
    expect(pattern).toEqual({
      eventName: ['INSERT'],
      dynamodb: {
        NewImage: {
          entity: { S: ['event'] },
          event: {
            M: {
              type: { S: ['application.approved', 'application.rejected_final', 'application.failed', 'application.withdrawn'] },
              data: { M: { batchId: { S: [{ exists: true }] } } },
            },
          },
        },
      },
    });
    expect(mapping.Properties).toMatchObject({ FunctionResponseTypes: ['ReportBatchItemFailures'], DestinationConfig: { OnFailure: { Destination: expect.anything() } } });
  });
});

describe('outputs', () => {
  it('give the API URL, the table and bucket names, the state machine ARNs and the alarm topic ARN', () => {
    // Act
    // CDK's own outputs for other stacks' references (`PublishOutput…`: the console stack reads the API's id) aside.
    const outputs = Object.keys(synth.service.toJSON().Outputs ?? {}).filter((name) => !name.startsWith('PublishOutput'));

    // Assess
    expect(outputs.sort()).toEqual(
      ['AlarmTopicArn', 'ApiUrl', 'BatchStateMachineArn', 'BucketName', 'DeliveryStateMachineArn', 'ReviewStateMachineArn', 'TableName'].sort(),
    );
  });
});
