import { describe, expect, it } from 'vitest';
import { PolicyEvaluator } from '../../../../infra/local/iam/policy-evaluator.ts';
import { type AppTemplates, readBucketKeys, readFunctionIdentities } from '../../../../infra/local/iam/role-policies.ts';
import type { CfnTemplate } from '../../../../infra/local/step-functions/template.ts';
import { synthesize } from '../../../infra/synth.ts';

// Prepare (once for the file): the real app, synthesized with bundling off, as the local runtime reads it.
const synth = synthesize();
const templates: AppTemplates = { data: synth.data.toJSON() as CfnTemplate, service: synth.service.toJSON() as CfnTemplate };
/** The names the local runtime gives the table and the bucket (runtime.ts sets the functions' variables to them). */
const LOCAL_NAMES = { TABLE_NAME: 'icp-cancel', BUCKET_NAME: 'icp-cancel-evidence' };
const TABLE_ARN = 'arn:aws:dynamodb:local:000000000000:table/icp-cancel';
const BUCKET_ARN = 'arn:aws:s3:::icp-cancel-evidence';
const REVIEW_ARN = 'arn:aws:states:local:000000000000:stateMachine:IcpCancelService-review';

const functionIdOf = (entry: string): string => {
  const found = Object.entries(templates.service.Resources ?? {}).find(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['icp:entry'] === entry,
  );
  if (!found) throw new Error(`no function for ${entry}`);
  return found[0];
};

describe('readFunctionIdentities, over the synthesized app', () => {
  const identities = readFunctionIdentities(templates, LOCAL_NAMES);

  it('gives every function of the app its role, as a Lambda role session of the local account', () => {
    // Prepare
    const entries = Object.values(templates.service.Resources ?? {}).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['icp:entry'] !== undefined,
    );
    const submit = functionIdOf('functions/http/submit-application.ts');

    // Act
    const identity = identities.get(submit);

    // Assess
    expect(identities.size).toBe(entries.length);
    expect(identity?.principalArn).toMatch(new RegExp(`^arn:aws:sts::000000000000:assumed-role/SubmitApplicationRole[0-9A-F]+/${submit}$`));
    expect(identity?.awsManagedPolicyArns).toEqual([]);
  });

  it("resolves every reference in the role's policies to the local table, bucket and state machine ARNs", () => {
    // Prepare
    const ingest = identities.get(functionIdOf('functions/batches/ingest-chunk.ts'));

    // Act
    const text = JSON.stringify(ingest?.policies);

    // Assess
    expect(text).not.toMatch(/Fn::|"Ref"/);
    expect(text).toContain(`"${TABLE_ARN}"`);
    expect(text).toContain(`"${TABLE_ARN}/index/gsi1"`);
    expect(text).toContain(`"${REVIEW_ARN}"`);
    // The data stack's managed policies, attached through Fn::GetStackOutput.
    expect(text).toContain(`"${BUCKET_ARN}/batch-manifests/*"`);
    expect(ingest?.policies.map((p) => p.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^BatchObjectsReadManifests/)]));
  });

  it('lets a function do, evaluated by IAM, what its catalog spec grants and nothing more', async () => {
    // Prepare
    const evaluator = new PolicyEvaluator(identities);
    const getApplication = functionIdOf('functions/http/get-application.ts');
    const submit = functionIdOf('functions/http/submit-application.ts');
    const decide = (functionId: string, action: string, resource: string) =>
      evaluator.evaluate(functionId, { action, resource }).then((d) => d.result);

    // Act
    const results = await Promise.all([
      decide(getApplication, 'dynamodb:GetItem', TABLE_ARN),
      decide(getApplication, 'dynamodb:Query', `${TABLE_ARN}/index/gsi1`),
      decide(getApplication, 'dynamodb:PutItem', TABLE_ARN),
      decide(getApplication, 'states:StartExecution', REVIEW_ARN),
      decide(submit, 'states:StartExecution', REVIEW_ARN),
      decide(submit, 's3:GetObject', `${BUCKET_ARN}/evidence/t/a.pdf`),
    ]);

    // Assess
    expect(results).toEqual(['Allowed', 'Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied', 'Allowed', 'ImplicitlyDenied']);
  });
});

describe('readFunctionIdentities, over hand-written templates', () => {
  const fn = (role: string) => ({
    Type: 'AWS::Lambda::Function',
    Metadata: { 'icp:entry': 'functions/x.ts' },
    Properties: { Role: { 'Fn::GetAtt': [role, 'Arn'] }, Environment: { Variables: { BUCKET_NAME: { Ref: 'Bucket' } } } },
  });
  const awsManaged = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::aws:policy/${name}`]] });

  it('lists AWSLambdaBasicExecutionRole without evaluating it, and reads customer-managed policies that name the role', () => {
    // Prepare
    const service: CfnTemplate = {
      Resources: {
        Fn: fn('FnRole'),
        FnRole: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: [awsManaged('service-role/AWSLambdaBasicExecutionRole')] } },
        Bucket: { Type: 'AWS::S3::Bucket' },
        Reads: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: {
            Roles: [{ Ref: 'FnRole' }],
            PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Sub': '${Bucket.Arn}/*' } }] },
          },
        },
      },
    };

    // Act
    const identity = readFunctionIdentities({ data: {}, service }, { BUCKET_NAME: 'local-bucket' }).get('Fn');

    // Assess
    expect(identity?.awsManagedPolicyArns).toEqual(['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']);
    expect(identity?.policies).toEqual([
      { name: 'Reads', document: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::local-bucket/*' }] } },
    ]);
  });

  it('refuses an AWS-managed policy that may grant what the proxy evaluates, rather than under-grant silently', () => {
    // Prepare
    const service: CfnTemplate = {
      Resources: {
        Fn: fn('FnRole'),
        FnRole: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: [awsManaged('AmazonS3ReadOnlyAccess')] } },
        Bucket: { Type: 'AWS::S3::Bucket' },
      },
    };

    // Act
    const reading = () => readFunctionIdentities({ data: {}, service }, {});

    // Assess
    expect(reading).toThrow(/AmazonS3ReadOnlyAccess/);
  });
});

describe('readBucketKeys', () => {
  it("finds the customer-managed key of a bucket encrypted with SSE-KMS, and none in the app's (SSE-S3) buckets", () => {
    // Prepare
    const data: CfnTemplate = {
      Resources: {
        Key: { Type: 'AWS::KMS::Key' },
        Bucket: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            BucketEncryption: {
              ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['Key', 'Arn'] } } }],
            },
          },
        },
      },
      Outputs: { BucketName: { Value: { Ref: 'Bucket' } } },
    };
    const service: CfnTemplate = {
      Resources: {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: { Environment: { Variables: { BUCKET_NAME: { 'Fn::GetStackOutput': { StackName: 'Data', OutputName: 'BucketName' } } } } },
        },
      },
    };

    // Act
    const keys = readBucketKeys({ data, service }, { BUCKET_NAME: 'local-bucket' });
    const appKeys = readBucketKeys(templates, LOCAL_NAMES);

    // Assess
    expect(keys).toEqual(new Map([['local-bucket', 'arn:aws:kms:local:000000000000:key/Key']]));
    expect(appKeys.size).toBe(0);
  });
});
