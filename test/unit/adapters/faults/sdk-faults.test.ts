import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand, ProvisionedThroughputExceededException, ThrottlingException } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseFaultPlan } from '../../../../shared/adapters/faults/fault-plan.ts';
import { addFaultMiddleware, faulted } from '../../../../shared/adapters/faults/sdk-faults.ts';

/** A fake endpoint of every service: counts the requests that reach it and answers each with an empty success. */
let server: Server;
let endpoint: string;
let requests = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    requests += 1;
    request.resume().on('end', () => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'real' });
      response.end(request.method === 'HEAD' ? undefined : '{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));
afterEach(() => {
  requests = 0;
  delete process.env.FAULTS;
});

const clientConfig = () => ({ endpoint, region: 'local', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const plan = (text: string) => parseFaultPlan(text) as NonNullable<ReturnType<typeof parseFaultPlan>>;
const getItem = new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } });

describe('addFaultMiddleware', () => {
  it("raises DynamoDB's real throttling error before the request is sent, and the SDK retries it up to its attempts", async () => {
    // Prepare: every attempt throttled
    const client = new DynamoDBClient({ ...clientConfig(), maxAttempts: 3 });
    addFaultMiddleware(client, 'dynamodb', plan('dynamodb:throttle:1,seed:3'));

    // Act
    const error = await client.send(getItem).catch((e: unknown) => e as Record<string, unknown>);

    // Assess: the shape the deserializer gives a real one, counted as three attempts by the retry middleware
    // (the SDK's exception classes recognise a service error by its name, $fault and $metadata)
    expect(error instanceof ProvisionedThroughputExceededException || error instanceof ThrottlingException).toBe(true);
    expect(error).toMatchObject({ $fault: 'client', $metadata: { httpStatusCode: 400, attempts: 3 } });
    expect((error.$metadata as { totalRetryDelay: number }).totalRetryDelay).toBeGreaterThan(0);
    expect(requests).toBe(0);
  });

  it('lets the call through on the attempt that draws no fault, so a call faulted at random mostly succeeds', async () => {
    // Prepare
    const client = new DynamoDBClient({ ...clientConfig(), maxAttempts: 3 });
    addFaultMiddleware(client, 'dynamodb', plan('dynamodb:5xx:0.5,seed:11'));

    // Act
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.send(getItem).then(
          (output) => ({ ok: true, attempts: output.$metadata.attempts ?? 1, shape: [] as (string | number)[] }),
          (error: { name: string; $fault: string; $metadata: { httpStatusCode: number; attempts: number } }) => ({
            ok: false,
            attempts: error.$metadata.attempts,
            shape: [error.name, error.$fault, error.$metadata.httpStatusCode],
          }),
        ),
      ),
    );

    // Assess: retried (some calls took more than one attempt), a real request per success, the failures 500/503
    const succeeded = outcomes.filter((o) => o.ok);
    expect(succeeded.length).toBeGreaterThan(10);
    expect(outcomes.some((o) => o.attempts > 1)).toBe(true);
    expect(requests).toBe(succeeded.length);
    for (const failure of outcomes.filter((o) => !o.ok)) {
      expect([['InternalServerError', 'server', 500], ['ServiceUnavailable', 'server', 503]]).toContainEqual(failure.shape);
    }
  });

  it("raises S3's SlowDown, Step Functions' ThrottlingException, timeouts and connection resets as the SDK would", async () => {
    // Prepare
    const s3 = new S3Client({ ...clientConfig(), forcePathStyle: true, maxAttempts: 1 });
    addFaultMiddleware(s3, 's3', plan('s3:throttle:1'));
    const sfn = new SFNClient({ ...clientConfig(), maxAttempts: 1 });
    addFaultMiddleware(sfn, 'sfn', plan('sfn:throttle:1'));
    const timeouts = new SFNClient({ ...clientConfig(), maxAttempts: 2 });
    addFaultMiddleware(timeouts, 'sfn', plan('sfn:timeout:1'));
    const resets = new DynamoDBClient({ ...clientConfig(), maxAttempts: 2 });
    addFaultMiddleware(resets, 'dynamodb', plan('dynamodb:reset:1'));

    // Act
    const [slowDown, throttled, timedOut, reset] = await Promise.all([
      s3.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' })).catch((e: unknown) => e),
      sfn.send(new ListStateMachinesCommand({})).catch((e: unknown) => e),
      timeouts.send(new ListStateMachinesCommand({})).catch((e: unknown) => e),
      resets.send(getItem).catch((e: unknown) => e),
    ]);

    // Assess
    expect(slowDown).toMatchObject({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503, attempts: 1 } });
    expect(throttled).toMatchObject({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    // Transient to the retry strategy by their names and codes, as the HTTP handler's own: retried to maxAttempts
    expect(timedOut).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: { attempts: 2 } });
    expect(reset).toMatchObject({ name: 'Error', message: 'read ECONNRESET', code: 'ECONNRESET', $metadata: { attempts: 2 } });
    expect(requests).toBe(0);
  });
});

describe('faulted', () => {
  it('leaves the client untouched without FAULTS, and adds the middleware with it', async () => {
    // Prepare
    const plain = faulted(new DynamoDBClient(clientConfig()), 'dynamodb');
    process.env.FAULTS = 'dynamodb:throttle:1,seed:5';
    const withFaults = faulted(new DynamoDBClient({ ...clientConfig(), maxAttempts: 1 }), 'dynamodb');
    const sfnWithoutItsFaults = faulted(new SFNClient(clientConfig()), 'sfn');

    // Act
    const names = (client: { middlewareStack: { identify(): string[] } }) => client.middlewareStack.identify().join(' ');
    const output = await plain.send(getItem);
    const error = await withFaults.send(getItem).catch((e: unknown) => e);

    // Assess
    expect(names(plain)).not.toContain('faultInjectionMiddleware');
    expect(names(sfnWithoutItsFaults)).not.toContain('faultInjectionMiddleware');
    expect(names(withFaults)).toContain('faultInjectionMiddleware');
    expect(output.$metadata.httpStatusCode).toBe(200);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });
});
