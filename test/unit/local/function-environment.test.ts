import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localOverrides, readFunctionConfigurations } from '../../../infra/local/function-environment.ts';
import { readWorkerFunctions } from '../../../infra/local/lambda-workers.ts';
import { type CfnTemplate, localStateMachineArn } from '../../../infra/local/step-functions/template.ts';

/** Two stacks as CDK writes them: the service stack reads the data stack's table and bucket through its outputs. */
function templates(): { data: CfnTemplate; service: CfnTemplate } {
  const output = (name: string) => ({ 'Fn::GetStackOutput': { StackName: 'Data', Region: { Ref: 'AWS::Region' }, OutputName: name } });
  const lambda = (asset: string, variables: Record<string, unknown>) => ({
    Type: 'AWS::Lambda::Function',
    Properties: { Handler: 'index.handler', MemorySize: 512, Timeout: 30, Environment: { Variables: variables } },
    Metadata: { 'icp:entry': `functions/${asset}.ts`, 'icp:handler': 'handler', 'aws:asset:path': `asset.${asset}` },
  });
  return {
    data: {
      Resources: { Table: { Type: 'AWS::DynamoDB::Table' }, Evidence: { Type: 'AWS::S3::Bucket' }, Logs: { Type: 'AWS::S3::Bucket' } },
      Outputs: { TableRef: { Value: { Ref: 'Table' } }, EvidenceRef: { Value: { Ref: 'Evidence' } }, LogsRef: { Value: { Ref: 'Logs' } } },
    },
    service: {
      Resources: {
        Review: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: { StateMachineName: 'icp-review', DefinitionString: '{}' },
        },
        Submit: lambda('submit', {
          TABLE_NAME: output('TableRef'),
          REVIEW_STATE_MACHINE_ARN: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':stateMachine:icp-review']],
          },
          NODE_OPTIONS: '--enable-source-maps',
          WEBHOOKS_ALLOW_LOOPBACK: 'false',
        }),
        Upload: lambda('upload', { TABLE_NAME: output('TableRef'), BUCKET_NAME: output('EvidenceRef'), LOG_LEVEL: 'INFO' }),
        CdkHelper: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler' } },
      },
    },
  };
}

describe('the environment of a bundled function', () => {
  const assembly = mkdtempSync(join(tmpdir(), 'icp-function-env-'));
  for (const asset of ['submit', 'upload']) {
    mkdirSync(join(assembly, `asset.${asset}`));
    writeFileSync(join(assembly, `asset.${asset}`, 'index.mjs'), 'export const handler = async () => null;');
  }
  afterAll(() => rmSync(assembly, { recursive: true, force: true }));
  const names = { table: 'icp-cancel', bucket: 'icp-cancel-evidence' };
  const endpoints = { dynamodb: 'http://127.0.0.1:1', s3: 'http://127.0.0.1:2', sfn: 'http://127.0.0.1:3' };

  it("is the template's variables resolved locally, what Lambda provides, its own credentials, then the local overrides", () => {
    // Prepare: the runtime's environment sets a setting it forwards, and a variable that is not one
    const overrides = localOverrides(endpoints, { authority: 'manual', clockOffsetMs: 86_400_000 }, { LOG_LEVEL: 'ERROR', BATCH_CHUNK_ROWS: '5', TABLE_NAME: 'x' });

    // Act
    const functions = readWorkerFunctions(assembly, templates().service, readFunctionConfigurations(templates(), names), overrides);

    // Assess
    expect([...functions.keys()]).toEqual(['Submit', 'Upload']);
    const submit = functions.get('Submit');
    const upload = functions.get('Upload');
    expect(submit).toMatchObject({
      file: join(assembly, 'asset.submit', 'index.mjs'),
      exportName: 'handler',
      execArgv: ['--enable-source-maps'],
      memorySize: 512,
      timeoutSeconds: 30,
    });
    expect(submit?.env).toMatchObject({
      TABLE_NAME: 'icp-cancel',
      REVIEW_STATE_MACHINE_ARN: localStateMachineArn('icp-review'),
      NODE_OPTIONS: '--enable-source-maps',
      AWS_REGION: 'local',
      AWS_LAMBDA_FUNCTION_NAME: 'Submit',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      _HANDLER: 'index.handler',
      LAMBDA_TASK_ROOT: join(assembly, 'asset.submit'),
      AWS_ACCESS_KEY_ID: 'LOCALSubmit',
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_S3: endpoints.s3,
      AWS_ENDPOINT_URL_SFN: endpoints.sfn,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      WEBHOOKS_ALLOW_LOOPBACK: 'true',
      CLOCK_OFFSET_MS: '86400000',
      AUTHORITY_MODE: 'manual',
      PROBE_MODE: 'simulated',
      LOG_LEVEL: 'ERROR',
      BATCH_CHUNK_ROWS: '5',
    });
    expect(submit?.env).not.toHaveProperty('BUCKET_NAME');
    expect(submit?.env).not.toHaveProperty('AWS_EXECUTION_ENV');
    expect(upload?.env).toMatchObject({ TABLE_NAME: 'icp-cancel', BUCKET_NAME: 'icp-cancel-evidence', AWS_ACCESS_KEY_ID: 'LOCALUpload' });
    expect(upload?.env).not.toHaveProperty('REVIEW_STATE_MACHINE_ARN');
    expect(upload?.env).not.toHaveProperty('NODE_OPTIONS');
    expect(upload?.execArgv).toEqual([]);
  });

  it('refuses a reference to a resource the local runtime does not serve, or to a second bucket', () => {
    // Prepare
    const queue = templates();
    Object.assign(queue.service.Resources ?? {}, {
      Queue: { Type: 'AWS::SQS::Queue' },
      Upload: { ...queue.service.Resources?.Upload, Properties: { Environment: { Variables: { QUEUE_URL: { Ref: 'Queue' } } } } },
    });
    const twoBuckets = templates();
    const submit = twoBuckets.service.Resources?.Submit?.Properties?.Environment as { Variables: Record<string, unknown> };
    submit.Variables.LOGS_BUCKET = { 'Fn::GetStackOutput': { StackName: 'Data', OutputName: 'LogsRef' } };

    // Act
    const readQueue = () => readFunctionConfigurations(queue, names);
    const readTwoBuckets = () => readFunctionConfigurations(twoBuckets, names);

    // Assess
    expect(readQueue).toThrow(/Queue \(AWS::SQS::Queue\), which the local runtime does not serve/);
    expect(readTwoBuckets).toThrow(/names 2 buckets \(Logs, Evidence\); the local runtime serves one/);
  });

  it('refuses a function whose bundle is missing', () => {
    // Prepare
    const missing = templates();
    (missing.service.Resources?.Submit?.Metadata as Record<string, unknown>)['aws:asset:path'] = 'asset.gone';

    // Act
    const read = () => readWorkerFunctions(assembly, missing.service, readFunctionConfigurations(missing, names), {});

    // Assess
    expect(read).toThrow(/Submit: no module for handler index.handler/);
  });
});
