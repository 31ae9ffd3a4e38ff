import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.ts';
import { allFunctionSpecs, HTTP_ROUTES } from '../../infra/stacks/catalog.ts';
import { appFunctions, type CfnResource, ofType, refTarget, synthesize } from './synth.ts';

// Prepare (once for the file: synthesizing costs seconds). This file also runs CDK's CloudFormation template
// validation, which makes any finding of it a synthesis error (cdk.json sets validateAgainstDefaultRules).
const synth = synthesize({ cfnValidation: true });
const service = synth.serviceResources;
const data = synth.dataResources;
const dataOutputs = (synth.data.toJSON().Outputs ?? {}) as Record<string, { Value: unknown }>;

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement): unknown[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
const statementsOf = (document: unknown): Statement[] => (document as { Statement: Statement[] }).Statement;

/**
 * Every Allow statement a role of the service stack holds: its inline policies, the `AWS::IAM::Policy` resources
 * attached to it, and the customer-managed policies it attaches (followed into the data stack through its outputs).
 */
function roleStatements(roleId: string): Statement[] {
  const role = service[roleId];
  const inline = ((role?.Properties?.Policies ?? []) as { PolicyDocument: unknown }[]).flatMap((p) => statementsOf(p.PolicyDocument));
  const attached = ofType(service, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties?.Roles as unknown[]).some((r) => refTarget(r) === roleId))
    .flatMap(([, p]) => statementsOf(p.Properties?.PolicyDocument));
  const managed = ((role?.Properties?.ManagedPolicyArns ?? []) as unknown[]).flatMap((arn) => {
    const output = (arn as { 'Fn::GetStackOutput'?: { OutputName: string } })['Fn::GetStackOutput'];
    if (!output) return []; // an AWS managed policy (CDK's own custom resource only; checked below)
    const policy = data[refTarget(dataOutputs[output.OutputName]?.Value) as string];
    expect(policy?.Type).toBe('AWS::IAM::ManagedPolicy');
    return statementsOf(policy?.Properties?.PolicyDocument);
  });
  return [...inline, ...attached, ...managed].filter((s) => s.Effect === 'Allow');
}

function functionRole(entry: string): string {
  const [[, fn] = []] = appFunctions(service).filter(([, f]) => f.Metadata?.['icp:entry'] === entry);
  return refTarget(fn?.Properties?.Role) as string;
}

const allRoles = ofType(service, 'AWS::IAM::Role').map(([id]) => id);
const functionEntries = appFunctions(service).map(([, fn]) => fn.Metadata?.['icp:entry'] as string);

/** Entries whose role allows `action` on a resource whose template text matches `resource` (and `statement` holds). */
function entriesAllowed(action: string, resource: RegExp = /.*/, statement: (s: Statement) => boolean = () => true): string[] {
  return functionEntries
    .filter((entry) =>
      roleStatements(functionRole(entry)).some(
        (s) => actionsOf(s).includes(action) && resourcesOf(s).some((r) => resource.test(JSON.stringify(r))) && statement(s),
      ),
    )
    .sort();
}

/** The one write a route that takes a key may make whatever its table access: its key's `lastUsedAt` (`KEYUSE#` items). */
const keyUseOnly = (s: Statement): boolean =>
  JSON.stringify(s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']) === JSON.stringify(['KEYUSE#*']) &&
  s.Condition?.Null?.['dynamodb:LeadingKeys'] === 'false';

describe('IAM least privilege', () => {
  it('grants no wildcard actions (no dynamodb:*, s3:*, …) to any role', () => {
    // Act
    const wildcards = allRoles.flatMap((id) => roleStatements(id).flatMap(actionsOf).filter((a) => a.includes('*')));

    // Assess
    expect(wildcards).toEqual([]);
  });

  it('uses Resource "*" only for the APIs that have no resource-level permissions', () => {
    // Act
    const onStar = new Set(
      allRoles.flatMap((id) => roleStatements(id).filter((s) => resourcesOf(s).includes('*')).flatMap(actionsOf)),
    );

    // Assess
    const allowed = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
      'dynamodb:ListStreams',
    ]);
    expect([...onStar].filter((a) => !allowed.has(a))).toEqual([]);
    expect(entriesAllowed('dynamodb:ListStreams')).toEqual(['functions/batches/settle-batches.ts', 'functions/events/dispatch-events.ts']);
  });

  it('lets the presigning function put evidence objects and nothing else in S3; the checker only get them (and list)', () => {
    // Act
    const s3Grants = (entry: string) =>
      roleStatements(functionRole(entry))
        .filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')))
        .map((s) => ({ actions: actionsOf(s), resource: JSON.stringify(s.Resource) }));

    // Assess
    expect(s3Grants('functions/http/create-evidence-upload.ts')).toEqual([
      { actions: ['s3:PutObject'], resource: expect.stringContaining('/evidence/*') },
    ]);
    expect(s3Grants('functions/s3/check-evidence.ts')).toEqual([
      { actions: ['s3:GetObject'], resource: expect.stringContaining('/evidence/*') },
      // On the bucket itself, so that an object no longer there is a 404 rather than a 403 (see listBucket).
      { actions: ['s3:ListBucket'], resource: expect.not.stringContaining('/') },
    ]);
    // The view link's function presigns GETs, of its own evidence and of shared evidence (batch-evidence/), and reads
    // no object itself: get, and list with it (the reads' policies, see listBucket).
    expect(s3Grants('functions/http/get-application-evidence.ts')).toEqual([
      { actions: ['s3:GetObject'], resource: expect.stringContaining('/evidence/*') },
      { actions: ['s3:ListBucket'], resource: expect.not.stringContaining('/') },
      { actions: ['s3:GetObject'], resource: expect.stringContaining('/batch-evidence/*') },
      { actions: ['s3:ListBucket'], resource: expect.not.stringContaining('/') },
    ]);
    const others = functionEntries.filter(
      (e) => !['functions/http/create-evidence-upload.ts', 'functions/s3/check-evidence.ts', 'functions/http/get-application-evidence.ts'].includes(e),
    );
    expect(others.flatMap((e) => s3Grants(e).filter((g) => g.resource.includes('/evidence/*')))).toEqual([]);
  });

  it('gives each batch function the actions of each need on one batch prefix, and nothing on evidence/', () => {
    // Act
    const s3Grants = (entry: string) =>
      roleStatements(functionRole(entry))
        .filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')))
        .map((s) => `${actionsOf(s).join(',')} ${/\/(batch-[a-z]+\/\*)/.exec(JSON.stringify(s.Resource))?.[1] ?? JSON.stringify(s.Resource)}`)
        .sort();
    const withS3 = functionEntries.filter((e) => s3Grants(e).length > 0).sort();

    // Assess
    expect(s3Grants('functions/http/create-batch.ts')).toEqual(['s3:PutObject batch-files/*', 's3:PutObject batch-manifests/*']);
    expect(s3Grants('functions/http/create-batch-evidence-upload.ts')).toEqual(['s3:PutObject batch-evidence/*']);
    // Each read comes with s3:ListBucket on the bucket, so that a missing object is a 404 (see listBucket).
    const list = (times: number) => Array.from({ length: times }, () => expect.stringMatching(/^s3:ListBucket \{"Fn::GetAtt":\["EvidenceBucket[0-9A-F]+","Arn"\]\}$/));
    expect(s3Grants('functions/http/get-batch-report.ts')).toEqual(['s3:GetObject batch-files/*', ...list(1)]);
    expect(s3Grants('functions/batches/check-batch-evidence.ts')).toEqual(['s3:GetObject batch-evidence/*', ...list(1)]);
    expect(s3Grants('functions/http/get-application-evidence.ts')).toEqual([
      's3:GetObject batch-evidence/*',
      expect.stringMatching(/^s3:GetObject .*\/evidence\/\*/),
      ...list(2),
    ]);
    expect(s3Grants('functions/batches/prepare-ingestion.ts')).toEqual(['s3:GetObject,s3:GetObjectVersion batch-manifests/*', ...list(1)]);
    expect(s3Grants('functions/batches/ingest-chunk.ts')).toEqual([
      's3:GetObject batch-files/*',
      's3:GetObject,s3:GetObjectVersion batch-manifests/*',
      ...list(2),
      's3:PutObject batch-files/*',
    ]);
    expect(withS3).toEqual([
      'functions/batches/check-batch-evidence.ts',
      'functions/batches/fail-ingestion.ts',
      'functions/batches/finish-ingestion.ts',
      'functions/batches/ingest-chunk.ts',
      'functions/batches/prepare-ingestion.ts',
      'functions/http/create-batch-evidence-upload.ts',
      'functions/http/create-batch.ts',
      'functions/http/create-evidence-upload.ts',
      'functions/http/get-application-evidence.ts',
      'functions/http/get-batch-report.ts',
      'functions/s3/check-evidence.ts',
    ]);
  });

  it('gives read-only routes and LoadApplication no table writes, and nobody scans', () => {
    // Act
    const writers = entriesAllowed('dynamodb:PutItem').concat(entriesAllowed('dynamodb:UpdateItem', /.*/, (s) => !keyUseOnly(s)));
    const readOnly = [
      ...HTTP_ROUTES.filter((r) => r.routeKey.startsWith('GET ')).map((r) => r.entry),
      'functions/workflow/load-application.ts',
    ];

    // Assess
    expect(writers.filter((e) => readOnly.includes(e))).toEqual([]);
    // ...but for their key's lastUsedAt, which every read-only route that takes a key records, and nothing else does.
    expect(entriesAllowed('dynamodb:UpdateItem', /.*/, keyUseOnly)).toEqual(HTTP_ROUTES.filter((r) => r.table === 'read').map((r) => r.entry).sort());
    for (const route of HTTP_ROUTES.filter((r) => r.routeKey.startsWith('POST '))) {
      expect(writers, route.entry).toContain(route.entry);
    }
    // Every function but those that never touch the table (`table: 'none'`: no grant at all).
    const tableless = allFunctionSpecs().filter((spec) => spec.table === 'none').map((spec) => spec.entry);
    expect(tableless.sort()).toEqual(['functions/http/get-openapi-document.ts', 'functions/http/no-route.ts']);
    expect(entriesAllowed('dynamodb:Query').sort()).toEqual(functionEntries.filter((e) => !tableless.includes(e)).sort());
    expect(tableless.flatMap((entry) => roleStatements(functionRole(entry)).flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:')))).toEqual([]);
    expect(entriesAllowed('dynamodb:Scan')).toEqual([]);
    expect(JSON.stringify(allRoles.map(roleStatements))).not.toContain('/index/*');
  });

  it('lets only the right functions start or answer each workflow', () => {
    // Act
    const review = /stateMachine:IcpCancelService-review"/;
    const delivery = /stateMachine:IcpCancelService-delivery"/;

    // Assess
    const batches = /stateMachine:IcpCancelService-batches"/;
    expect(entriesAllowed('states:StartExecution', review)).toEqual([
      'functions/batches/ingest-chunk.ts',
      'functions/batches/start-reviews.ts',
      'functions/http/release-batch.ts',
      'functions/http/submit-application.ts',
      // A file that completes a draft marked submitWhenComplete submits it.
      'functions/s3/check-evidence.ts',
      // The start queue's sweep starts whatever was left behind, reviews and deliveries.
      'functions/starts/sweep-starts.ts',
      'functions/workflow/expire-correction.ts',
    ]);
    expect(entriesAllowed('states:StartExecution', batches)).toEqual(['functions/batches/manifest-uploaded.ts', 'functions/http/create-batch.ts']);
    const responders = [
      'functions/http/record-decision.ts',
      'functions/http/resubmit-application.ts',
      'functions/workflow/await-correction.ts',
      'functions/workflow/submit-to-authority.ts',
    ];
    expect(entriesAllowed('states:SendTaskSuccess', review)).toEqual(responders);
    expect(entriesAllowed('states:SendTaskFailure', review)).toEqual(responders);
    expect(entriesAllowed('states:StartExecution', delivery)).toEqual([
      'functions/events/dispatch-events.ts',
      'functions/http/redeliver-webhook.ts',
      'functions/starts/sweep-starts.ts',
    ]);
    expect(entriesAllowed('states:SendTaskHeartbeat')).toEqual([]);
    expect(entriesAllowed('states:StopExecution')).toEqual(['functions/http/withdraw-application.ts']);
    expect(entriesAllowed('states:StopExecution', /execution:IcpCancelService-review:\*"/)).toEqual(['functions/http/withdraw-application.ts']);
  });

  it('lets each state machine invoke only its own task functions', () => {
    // Act
    const invoked = (machineName: string) => {
      const [[, machine] = []] = ofType(service, 'AWS::StepFunctions::StateMachine').filter(
        ([, m]) => m.Properties?.StateMachineName === machineName,
      );
      const statements = roleStatements(refTarget(machine?.Properties?.RoleArn) as string);
      return new Set(
        statements
          .filter((s) => actionsOf(s).includes('lambda:InvokeFunction'))
          .flatMap(resourcesOf)
          .map((r) => service[refTarget(r) ?? refTarget((r as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1][0]) ?? '']?.Metadata?.['icp:entry']),
      );
    };

    // Assess
    expect([...invoked('IcpCancelService-delivery')].sort()).toEqual([
      'functions/webhooks/deliver-webhook.ts',
      'functions/webhooks/give-up-delivery.ts',
    ]);
    expect([...invoked('IcpCancelService-review')].every((e) => String(e).startsWith('functions/workflow/'))).toBe(true);
    expect(invoked('IcpCancelService-review').size).toBe(8);
    expect([...invoked('IcpCancelService-batches')].sort()).toEqual([
      'functions/batches/fail-ingestion.ts',
      'functions/batches/finish-ingestion.ts',
      'functions/batches/ingest-chunk.ts',
      'functions/batches/prepare-ingestion.ts',
      'functions/batches/start-reviews.ts',
    ]);
  });

  it('attaches an AWS managed policy only to CDK\'s own bucket-notifications handler', () => {
    // Act
    const withAwsManaged = ofType(service, 'AWS::IAM::Role')
      .filter(([, r]) => JSON.stringify(r.Properties?.ManagedPolicyArns ?? []).includes(':iam::aws:policy/'))
      .map(([id]) => id);

    // Assess
    expect(withAwsManaged).toEqual([expect.stringMatching(/^BucketNotificationsHandler/)]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports nothing unacknowledged, and the stacks carry no error or warning annotations', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(synth.app);

    // Assess
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
    for (const stack of [synth.dataStack, synth.serviceStack, synth.consoleStack]) {
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    }
  });

  it('acknowledges findings only on the resources concerned, never on a stack or the app, each with a reason', () => {
    // Act
    const acknowledgements = synth.app.node.findAll().flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ c, id, reason }))),
    );

    // Assess
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { c, id, reason } of acknowledgements) {
      expect(c === synth.app || Stack.isStack(c), `${id} at ${c.node.path}`).toBe(false);
      expect(reason.length, id).toBeGreaterThan(40);
    }
    const rules = new Set(acknowledgements.map(({ id }) => id.replace(/^annotation::/i, '').replace(/\[.*$/, '')));
    // CFR1, CFR2, CFR4 and L1 are the console's (its distribution, and CDK's BucketDeployment handler).
    expect([...rules].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR4',
      'AwsSolutions-COG4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
      'AwsSolutions-SF1',
      'AwsSolutions-SQS3',
    ]);
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    // Prepare
    const { app, serviceStack } = buildApp(
      new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false }),
    );
    new iam.Role(serviceStack, 'Unreviewed', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: ['*'] }),
    );

    // Act
    const synthesizing = () => app.synth();

    // Assess
    expect(synthesizing).toThrow(/AwsSolutions-IAM5\[Resource::\*\]/);
  });
});
