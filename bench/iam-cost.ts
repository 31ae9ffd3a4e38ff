/**
 * `npm run bench:iam`: what the local IAM enforcement costs per AWS call. Prints figures; it is not a test.
 *
 * 1. The evaluator alone, over the synthesized app's roles: the first evaluation (the evaluator loading its IAM data),
 *    an evaluation of a request not seen before (cache miss), and a repeated one (cache hit).
 * 2. End to end, with the real SDK: `GetItem` against DynamoDB Local directly, and through the IAM proxy (same key:
 *    cached decisions), and `GetObject` against s3rver directly and through the proxy with a new key every call (every
 *    decision a miss, plus the re-signing for s3rver).
 *
 *   BENCH_IAM_CALLS=500   calls per end-to-end measurement
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createTableFromTemplate, startDynamoDbLocal } from '../infra/local/engines/dynamodb-local.ts';
import { S3_LOCAL_CREDENTIALS, startS3Local } from '../infra/local/engines/s3-local.ts';
import type { AuthorizationRequest } from '../infra/local/iam/classify.ts';
import { startIamProxy } from '../infra/local/iam/iam-proxy.ts';
import { functionCredentials, identifyFunctions } from '../infra/local/iam/local-credentials.ts';
import { PolicyEvaluator } from '../infra/local/iam/policy-evaluator.ts';
import { readFunctionIdentities } from '../infra/local/iam/role-policies.ts';
import { BUCKET_NAME, REPO_ROOT, TABLE_NAME } from '../infra/local/runtime.ts';
import { synthesizeTemplates } from '../infra/local/synthesize.ts';
import { readWiring } from '../infra/local/template-wiring.ts';
import { formatTable, median } from './table.ts';

process.env.LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const CALLS = Number(process.env.BENCH_IAM_CALLS ?? 500);
const TABLE_ARN = `arn:aws:dynamodb:local:000000000000:table/${TABLE_NAME}`;
const BUCKET_ARN = `arn:aws:s3:::${BUCKET_NAME}`;

const templates = await synthesizeTemplates(REPO_ROOT, join(REPO_ROOT, 'node_modules', '.cache', 'icp-cancel'));
const identities = readFunctionIdentities(templates, { TABLE_NAME, BUCKET_NAME });
const functionIds = [...identities.keys()];
const rows: [string, string][] = [['functions (roles) read from the templates', String(identities.size)]];

// 1. The evaluator alone.
{
  const evaluator = new PolicyEvaluator(identities);
  const requests = (i: number): AuthorizationRequest[] => [
    { action: 'dynamodb:GetItem', resource: TABLE_ARN },
    { action: 'dynamodb:Query', resource: `${TABLE_ARN}/index/gsi1` },
    { action: 'dynamodb:PutItem', resource: TABLE_ARN },
    { action: 's3:GetObjectVersion', resource: `${BUCKET_ARN}/batch-manifests/t/b${i}/manifest.csv` },
    { action: 'states:StartExecution', resource: 'arn:aws:states:local:000000000000:stateMachine:IcpCancelService-review' },
  ];
  const first = performance.now();
  await evaluator.evaluate(functionIds[0] as string, { action: 'dynamodb:GetItem', resource: TABLE_ARN });
  rows.push(['first evaluation (loads the IAM data)', `${(performance.now() - first).toFixed(1)} ms`]);

  const all = functionIds.flatMap((functionId) => Array.from({ length: 4 }, (_, i) => requests(i).map((r) => [functionId, r] as const)).flat());
  const missStart = performance.now();
  for (const [functionId, request] of all) await evaluator.evaluate(functionId, request);
  const missMs = (performance.now() - missStart) / all.length;
  const hitStart = performance.now();
  for (const [functionId, request] of all) await evaluator.evaluate(functionId, request);
  const hitMs = (performance.now() - hitStart) / all.length;
  rows.push([`evaluation, not cached (${all.length} requests)`, `${missMs.toFixed(3)} ms`]);
  rows.push(['evaluation, cached', `${hitMs.toFixed(4)} ms`]);
}

// 2. End to end.
const dataDir = mkdtempSync(join(tmpdir(), 'bench-iam-'));
const [dynamo, s3] = await Promise.all([startDynamoDbLocal(), startS3Local({ dataDir, buckets: [BUCKET_NAME] })]);
try {
  const evaluator = new PolicyEvaluator(identities);
  const identify = identifyFunctions(functionIds);
  const [dynamoProxy, s3Proxy] = await Promise.all([
    startIamProxy({ target: dynamo.endpoint, service: 'dynamodb', identify, policies: evaluator }),
    startIamProxy({ target: s3.endpoint, service: 's3', identify, policies: evaluator, upstreamCredentials: S3_LOCAL_CREDENTIALS }),
  ]);
  const admin = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: S3_LOCAL_CREDENTIALS });
  await createTableFromTemplate(admin, TABLE_NAME, readWiring(templates.data, templates.service).tableProperties);
  await admin.send(new PutItemCommand({ TableName: TABLE_NAME, Item: { pk: { S: 'BENCH' }, sk: { S: 'BENCH' } } }));

  // A reader of the table and the manifests: the ingestion chunk task.
  const reader = functionIds.find((id) => id.startsWith('BatchIngestChunk')) as string;
  const asReader = functionCredentials(reader);
  const s3Of = (endpoint: string, credentials: typeof asReader) =>
    new S3Client({ endpoint, region: 'local', credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const s3Admin = s3Of(s3.endpoint, S3_LOCAL_CREDENTIALS);
  for (let i = 0; i < CALLS; i++) {
    await s3Admin.send(new PutObjectCommand({ Bucket: BUCKET_NAME, Key: `batch-files/t/b/part-${i}.csv`, Body: 'row\n' }));
  }

  /** Median time per call of each of two calls, made turn about so that both see the same warm-up and load. */
  const sideBySide = async (a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>): Promise<[number, number]> => {
    for (let i = 0; i < 20; i++) await Promise.all([a(i), b(i)]); // warm the connections and the code
    const times: [number[], number[]] = [[], []];
    for (let i = 0; i < CALLS; i++) {
      for (const [j, call] of [a, b].entries()) {
        const started = performance.now();
        await call(i);
        times[j]?.push(performance.now() - started);
      }
    }
    return [median(times[0]), median(times[1])];
  };
  const getItem = (client: DynamoDBClient) => () => client.send(new GetItemCommand({ TableName: TABLE_NAME, Key: { pk: { S: 'BENCH' }, sk: { S: 'BENCH' } } }));
  const getObject = (client: S3Client, key: (i: number) => string) => async (i: number) => {
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET_NAME, Key: key(i) }));
    await object.Body?.transformToString();
  };
  const newKey = (i: number) => `batch-files/t/b/part-${i % CALLS}.csv`;
  const sameKey = () => 'batch-files/t/b/part-0.csv';
  const [directDynamo, proxiedDynamo] = await sideBySide(
    getItem(new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: asReader })),
    getItem(new DynamoDBClient({ endpoint: dynamoProxy.url, region: 'local', credentials: asReader })),
  );
  const proxiedReader = s3Of(s3Proxy.url, asReader);
  const [directS3, proxiedS3Same] = await sideBySide(getObject(s3Admin, sameKey), getObject(proxiedReader, sameKey));
  // Keys the warm-up of the first pair did not read, so that every decision of the proxied calls is a miss.
  const [directS3New, proxiedS3New] = await sideBySide(getObject(s3Admin, newKey), getObject(proxiedReader, (i) => newKey(i + 1)));
  const row = (label: string, direct: number, proxied: number): [string, string][] => [
    [`${label}, direct (median of ${CALLS})`, `${direct.toFixed(2)} ms`],
    [`${label}, through the IAM proxy`, `${proxied.toFixed(2)} ms (+${(proxied - direct).toFixed(2)} ms)`],
  ];
  rows.push(...row('DynamoDB GetItem (decision cached)', directDynamo, proxiedDynamo));
  rows.push(...row('S3 GetObject, same key (decision cached; re-signed)', directS3, proxiedS3Same));
  rows.push(...row('S3 GetObject, a new key each call (not cached; re-signed)', directS3New, proxiedS3New));
  await Promise.all([dynamoProxy.stop(), s3Proxy.stop()]);
} finally {
  await Promise.all([dynamo.stop(), s3.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
}

console.log(formatTable(rows));
