import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableFromTemplate, type DynamoDbLocal, startDynamoDbLocal } from '../../../../infra/local/engines/dynamodb-local.ts';
import { S3_LOCAL_CREDENTIALS, type S3Local, startS3Local } from '../../../../infra/local/engines/s3-local.ts';
import { type IamProxy, type ProxyDecision, startIamProxy } from '../../../../infra/local/iam/iam-proxy.ts';
import { functionCredentials, identifyFunctions } from '../../../../infra/local/iam/local-credentials.ts';
import { PolicyEvaluator } from '../../../../infra/local/iam/policy-evaluator.ts';
import type { FunctionIdentity } from '../../../../infra/local/iam/role-policies.ts';
import { LocalStepFunctions } from '../../../../infra/local/step-functions/local-step-functions.ts';
import { type SfnApiServer, startSfnApiServer } from '../../../../infra/local/step-functions/sfn-api-server.ts';
import { localStateMachineArn } from '../../../../infra/local/step-functions/template.ts';
import { RECORDS_TABLE_PROPERTIES } from '../engines/fixtures/records-table-properties.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const TABLE = 'records';
const BUCKET = 'evidence-bucket';
const TABLE_ARN = `arn:aws:dynamodb:local:000000000000:table/${TABLE}`;
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const MACHINE_ARN = localStateMachineArn('approval');

/** A function whose role holds exactly `statements`. */
function identity(functionId: string, statements: Record<string, unknown>[]): [string, FunctionIdentity] {
  return [
    functionId,
    {
      functionId,
      roleId: `${functionId}Role`,
      roleArn: `arn:aws:iam::000000000000:role/${functionId}Role`,
      principalArn: `arn:aws:sts::000000000000:assumed-role/${functionId}Role/${functionId}`,
      policies: [{ name: `${functionId}Policy`, document: { Version: '2012-10-17', Statement: statements } }],
      awsManagedPolicyArns: [],
    },
  ];
}

const identities = new Map([
  // Reads and writes items, queries the table but not its indexes.
  identity('Recorder', [{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'], Resource: TABLE_ARN }]),
  // Like the manifest readers before issue 9: s3:GetObject on a prefix, nothing else.
  identity('ManifestReader', [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET_ARN}/manifests/*` }]),
  // The same, allowed to read versions and to list the bucket (so a missing key is a 404).
  identity('VersionReader', [
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: `${BUCKET_ARN}/manifests/*` },
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: BUCKET_ARN },
  ]),
  identity('Uploader', [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `${BUCKET_ARN}/uploads/*` }]),
  identity('Starter', [{ Effect: 'Allow', Action: 'states:StartExecution', Resource: MACHINE_ARN }]),
  // Task responses are granted on the state machine, as the service stack (and CDK's grantTaskResponse) grant them.
  identity('Responder', [{ Effect: 'Allow', Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'], Resource: MACHINE_ARN }]),
  identity('Bystander', [{ Effect: 'Allow', Action: 'states:SendTaskSuccess', Resource: localStateMachineArn('other') }]),
]);

const sdk = { region: 'local', maxAttempts: 1 } as const;
const credentialsOf = (functionId: string) => functionCredentials(functionId);
const documentClient = (endpoint: string, functionId: string) =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ ...sdk, endpoint, credentials: credentialsOf(functionId) }));
const s3Client = (endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }) =>
  new S3Client({
    ...sdk,
    endpoint,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
const sfnClient = (endpoint: string, functionId: string) => new SFNClient({ ...sdk, endpoint, credentials: credentialsOf(functionId) });

/** What a rejected SDK call threw: its name and message (`expect(...).rejects` keeps only one of them). */
async function failureOf(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await call;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, ...(e.$metadata?.httpStatusCode ? { status: e.$metadata.httpStatusCode } : {}) };
  }
  throw new Error('the call succeeded');
}

describe('IAM proxy in front of the local engines, with the real SDK clients', { timeout: 30_000 }, () => {
  let dataDir: string;
  let dynamo: DynamoDbLocal;
  let s3: S3Local;
  let stepFunctions: LocalStepFunctions;
  let sfnApi: SfnApiServer;
  const proxies: Record<'dynamodb' | 's3' | 'states', IamProxy> = {} as never;
  const decisions: ProxyDecision[] = [];
  /** Task tokens handed to the waiting task, and the machine they belong to. */
  const tokens = new Map<string, string>();
  const policies = new PolicyEvaluator(identities);

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'iam-proxy-test-'));
    [dynamo, s3] = await Promise.all([startDynamoDbLocal(), startS3Local({ dataDir, buckets: [BUCKET] })]);
    await createTableFromTemplate(new DynamoDBClient({ ...sdk, endpoint: dynamo.endpoint, credentials: S3_LOCAL_CREDENTIALS }), TABLE, RECORDS_TABLE_PROPERTIES);
    stepFunctions = new LocalStepFunctions({
      stateMachines: [
        {
          arn: MACHINE_ARN,
          definition: {
            StartAt: 'AwaitApproval',
            States: {
              AwaitApproval: {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
                Parameters: { FunctionName: 'arn:aws:lambda:local:000000000000:function:Ask', Payload: { 'token.$': '$$.Task.Token' } },
                TimeoutSeconds: 60,
                End: true,
              },
            },
          },
        },
      ],
      invoke: async (_arn, payload) => {
        tokens.set((payload as { token: string }).token, MACHINE_ARN);
        return {};
      },
    });
    sfnApi = await startSfnApiServer(stepFunctions);
    const identify = identifyFunctions(identities.keys());
    const onDecision = (decision: ProxyDecision) => decisions.push(decision);
    proxies.dynamodb = await startIamProxy({ target: dynamo.endpoint, service: 'dynamodb', identify, policies, onDecision });
    proxies.s3 = await startIamProxy({ target: s3.endpoint, service: 's3', identify, policies, onDecision, upstreamCredentials: S3_LOCAL_CREDENTIALS });
    proxies.states = await startIamProxy({
      target: sfnApi.url,
      service: 'states',
      identify,
      policies,
      onDecision,
      classify: { stateMachineOfTaskToken: (token) => tokens.get(token) },
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(Object.values(proxies).map((p) => p?.stop()));
    await sfnApi?.close();
    await stepFunctions?.close();
    await Promise.all([dynamo?.stop(), s3?.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('DynamoDB', () => {
    it('passes an allowed call on to DynamoDB Local', async () => {
      // Prepare
      const client = documentClient(proxies.dynamodb.url, 'Recorder');

      // Act
      await client.send(new PutCommand({ TableName: TABLE, Item: { pk: 'A#1', sk: 'A', name: 'one' } }));
      const read = await client.send(new GetCommand({ TableName: TABLE, Key: { pk: 'A#1', sk: 'A' } }));

      // Assess
      expect(read.Item).toMatchObject({ name: 'one' });
    });

    it('refuses a call outside the role as AWS does: AccessDeniedException naming the principal, action and resource', async () => {
      // Prepare
      const client = documentClient(proxies.dynamodb.url, 'Recorder');

      // Act
      const failure = await failureOf(
        client.send(new QueryCommand({ TableName: TABLE, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :t', ExpressionAttributeValues: { ':t': 'T' } })),
      );

      // Assess
      expect(failure).toEqual({
        name: 'AccessDeniedException',
        status: 400,
        message:
          'User: arn:aws:sts::000000000000:assumed-role/RecorderRole/Recorder is not authorized to perform: dynamodb:Query on resource: ' +
          `${TABLE_ARN}/index/gsi1 because no identity-based policy allows the dynamodb:Query action`,
      });
    });

    it('refuses a whole TransactWriteItems when one item needs an action the role lacks, and writes nothing', async () => {
      // Prepare: Put is allowed, Update is not.
      const client = documentClient(proxies.dynamodb.url, 'Recorder');

      // Act
      const failure = await failureOf(
        client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: TABLE, Item: { pk: 'T#1', sk: 'A' } } },
              { Update: { TableName: TABLE, Key: { pk: 'A#1', sk: 'A' }, UpdateExpression: 'SET #n = :n', ExpressionAttributeNames: { '#n': 'name' }, ExpressionAttributeValues: { ':n': 'two' } } },
            ],
          }),
        ),
      );
      const written = await client.send(new GetCommand({ TableName: TABLE, Key: { pk: 'T#1', sk: 'A' } }));

      // Assess
      expect(failure.name).toBe('AccessDeniedException');
      expect(failure.message).toContain(`dynamodb:UpdateItem on resource: ${TABLE_ARN} `);
      expect(written.Item).toBeUndefined();
    });

    it("refuses an access key that is no function's when other keys are refused", async () => {
      // Prepare
      const strict = await startIamProxy({
        target: dynamo.endpoint,
        service: 'dynamodb',
        identify: identifyFunctions(identities.keys(), { others: 'refused' }),
        policies,
      });
      const client = DynamoDBDocumentClient.from(new DynamoDBClient({ ...sdk, endpoint: strict.url, credentials: S3_LOCAL_CREDENTIALS }));

      // Act
      const failure = await failureOf(client.send(new GetCommand({ TableName: TABLE, Key: { pk: 'A#1', sk: 'A' } })));
      await strict.stop();

      // Assess
      expect(failure.name).toBe('UnrecognizedClientException');
    });
  });

  describe('S3', () => {
    const admin = () => s3Client(proxies.s3.url, S3_LOCAL_CREDENTIALS);

    beforeAll(async () => {
      // The harness (unrestricted: not a function's key) uploads a manifest.
      await admin().send(new PutObjectCommand({ Bucket: BUCKET, Key: 'manifests/t1/b1.csv', Body: 'a,b\n1,2\n', ContentType: 'text/csv' }));
    });

    it("re-signs a function's call for s3rver and passes it on when the role allows it", async () => {
      // Prepare
      const client = s3Client(proxies.s3.url, credentialsOf('ManifestReader'));

      // Act
      const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'manifests/t1/b1.csv' }));

      // Assess
      expect(await object.Body?.transformToString()).toBe('a,b\n1,2\n');
    });

    it('needs s3:GetObjectVersion to read an object at a version: AccessDenied with s3:GetObject alone', async () => {
      // Prepare
      const client = s3Client(proxies.s3.url, credentialsOf('ManifestReader'));

      // Act
      const failure = await failureOf(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'manifests/t1/b1.csv', VersionId: 'v1' })));

      // Assess
      expect(failure).toEqual({
        name: 'AccessDenied',
        status: 403,
        message:
          'User: arn:aws:sts::000000000000:assumed-role/ManifestReaderRole/ManifestReader is not authorized to perform: s3:GetObjectVersion ' +
          `on resource: "${BUCKET_ARN}/manifests/t1/b1.csv" because no identity-based policy allows the s3:GetObjectVersion action`,
      });
    });

    it('answers a missing key with 403 AccessDenied (GET) or 403 (HEAD) without s3:ListBucket, as S3 does', async () => {
      // Prepare
      const client = s3Client(proxies.s3.url, credentialsOf('ManifestReader'));

      // Act
      const get = await failureOf(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'manifests/t1/missing.csv' })));
      const head = await failureOf(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'manifests/t1/missing.csv' })));

      // Assess
      expect(get).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect(get.message).toContain(`s3:ListBucket on resource: "${BUCKET_ARN}"`);
      // S3 answers a HEAD without a body, so the SDK cannot name the error: it is 'Unknown', with the status.
      expect(head).toMatchObject({ name: 'Unknown', status: 403 });
    });

    it('answers a missing key with 404 NoSuchKey (GET) or NotFound (HEAD) to a role that may list the bucket', async () => {
      // Prepare
      const client = s3Client(proxies.s3.url, credentialsOf('VersionReader'));

      // Act
      const get = await failureOf(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'manifests/t1/missing.csv' })));
      const head = await failureOf(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'manifests/t1/missing.csv' })));

      // Assess
      expect(get).toMatchObject({ name: 'NoSuchKey', status: 404 });
      expect(head).toMatchObject({ name: 'NotFound', status: 404 });
    });

    it("authorises a presigned PUT as its signer's call, checks the signed headers, and re-signs it for s3rver", async () => {
      // Prepare: the function presigns (no call is made); a customer uploads with the URL.
      const signer = s3Client(proxies.s3.url, credentialsOf('Uploader'));
      const body = Buffer.from('%PDF-1.7 evidence');
      const presign = (key: string) =>
        getSignedUrl(signer, new PutObjectCommand({ Bucket: BUCKET, Key: key, ContentType: 'application/pdf', ContentLength: body.length }), {
          expiresIn: 60,
          signableHeaders: new Set(['content-type', 'content-length']),
        });
      const put = async (url: string, contentType = 'application/pdf') =>
        fetch(url, { method: 'PUT', body, headers: { 'content-type': contentType } });

      // Act
      const allowed = await put(await presign('uploads/a.pdf'));
      const outside = await put(await presign('manifests/a.pdf'));
      const tampered = await put(await presign('uploads/b.pdf'), 'text/html');
      const stored = await admin().send(new GetObjectCommand({ Bucket: BUCKET, Key: 'uploads/a.pdf' }));

      // Assess
      expect(allowed.status).toBe(200);
      expect(Buffer.from(await stored.Body!.transformToByteArray())).toEqual(body);
      expect(outside.status).toBe(403);
      expect(await outside.text()).toContain('<Code>AccessDenied</Code>');
      expect(tampered.status).toBe(403);
      expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    });
    it("passes a browser's CORS preflight of a presigned URL to S3 unauthorised, as S3 answers it from the bucket's CORS rules", async () => {
      // Prepare: the URL a function presigned for a browser, whose preflight carries its query (signed for PUT).
      const signer = s3Client(proxies.s3.url, credentialsOf('Uploader'));
      const url = await getSignedUrl(signer, new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/c.pdf', ContentType: 'application/pdf' }), { expiresIn: 60 });
      const before = decisions.length;

      // Act
      const preflight = await fetch(url, {
        method: 'OPTIONS',
        headers: { origin: 'http://127.0.0.1:3000', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
      });

      // Assess
      expect(preflight.status).toBe(200);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
      expect(decisions.length).toBe(before);
    });
  });

  describe('Step Functions', () => {
    it('authorises StartExecution on the state machine, and refuses it to a role without it', async () => {
      // Prepare
      const starter = sfnClient(proxies.states.url, 'Starter');
      const other = sfnClient(proxies.states.url, 'Responder');

      // Act
      const started = await starter.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'run-1', input: '{}' }));
      const failure = await failureOf(other.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'run-2', input: '{}' })));

      // Assess
      expect(started.executionArn).toBe('arn:aws:states:local:000000000000:execution:approval:run-1');
      expect(failure).toMatchObject({ name: 'AccessDeniedException', status: 400 });
      expect(failure.message).toContain(`states:StartExecution on resource: ${MACHINE_ARN} because`);
    });

    it("authorises SendTaskSuccess on the token's state machine, as AWS does", async () => {
      // Prepare: an execution waits on its token.
      const starter = sfnClient(proxies.states.url, 'Starter');
      const { executionArn } = await starter.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'run-3', input: '{}' }));
      await until(() => tokens.size > 0);
      const token = [...tokens.keys()].at(-1) as string;

      // Act
      const bystander = await failureOf(sfnClient(proxies.states.url, 'Bystander').send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })));
      await sfnClient(proxies.states.url, 'Responder').send(new SendTaskSuccessCommand({ taskToken: token, output: '{"ok":true}' }));
      const execution = await stepFunctions.waitForExecution(executionArn as string);

      // Assess
      expect(bystander.name).toBe('AccessDeniedException');
      expect(bystander.message).toContain(`states:SendTaskSuccess on resource: ${MACHINE_ARN} because`);
      expect(execution.status).toBe('SUCCEEDED');
    });
  });

  it("reports each function's call with its decision and cost", () => {
    // Prepare
    // Act
    const denied = decisions.filter((d) => !d.allowed);

    // Assess
    expect(decisions.length).toBeGreaterThan(10);
    expect(denied.map((d) => `${d.functionId} ${d.denied?.action}`)).toContain('Recorder dynamodb:Query');
    expect(decisions.every((d) => d.authorizeMs >= 0)).toBe(true);
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
