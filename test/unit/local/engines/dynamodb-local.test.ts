import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTableFromTemplate,
  type DynamoDbLocal,
  DynamoDbLocalStartError,
  startDynamoDbLocal,
} from '../../../../infra/local/engines/dynamodb-local.ts';
import { findDynamoDbLocalPid } from '../../../../bench/memory.ts';
import { FAKE_CREDENTIALS, RECORDS_TABLE_PROPERTIES } from './fixtures/records-table-properties.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const clientOf = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: 'local', credentials: FAKE_CREDENTIALS, maxAttempts: 1 });

describe('DynamoDB Local, in memory', { timeout: 30_000 }, () => {
  let engine: DynamoDbLocal;
  let client: DynamoDBClient;

  beforeAll(async () => {
    engine = await startDynamoDbLocal();
    client = clientOf(engine.endpoint);
    await createTableFromTemplate(client, 'records', RECORDS_TABLE_PROPERTIES);
  }, 60_000);
  afterAll(async () => {
    client?.destroy();
    await engine?.stop();
  });

  it('creates the table of a CDK template with its indexes, stream and TTL', async () => {
    // Prepare
    // Act
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'records' }));
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: 'records' }));

    // Assess
    expect(Table?.KeySchema).toEqual(RECORDS_TABLE_PROPERTIES.KeySchema);
    expect(Table?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.Projection?.ProjectionType]).sort()).toEqual([
      ['gsi1', 'KEYS_ONLY'],
      ['gsi2', 'KEYS_ONLY'],
    ]);
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    expect(Table?.LatestStreamArn).toMatch(/^arn:aws:dynamodb:/);
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
  });

  it('leaves an existing table alone and says when its key schema differs', async () => {
    // Prepare
    const otherKeys = {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    };

    // Act
    const same = await createTableFromTemplate(client, 'records', RECORDS_TABLE_PROPERTIES);
    const different = await createTableFromTemplate(client, 'records', otherKeys);

    // Assess
    expect(same).toEqual({ created: false, keySchemaMatches: true, missingIndexes: [] });
    expect(different).toEqual({ created: false, keySchemaMatches: false, missingIndexes: [] });
  });

  it('refuses properties that still hold intrinsic functions', async () => {
    // Prepare
    const withRef = {
      ...RECORDS_TABLE_PROPERTIES,
      KeySchema: [{ AttributeName: { Ref: 'KeyName' }, KeyType: 'HASH' }],
    };

    // Act
    const creating = createTableFromTemplate(client, 'unresolved', withRef);

    // Assess
    await expect(creating).rejects.toThrow(/KeySchema/);
  });

  it('puts, gets and queries an index, which gives back the keys only, as the template projects them', async () => {
    // Prepare
    const item = {
      pk: { S: 'APP#1' },
      sk: { S: 'META' },
      gsi1pk: { S: 'TENANT#t1' },
      gsi1sk: { S: '2026-01-01#1' },
      status: { S: 'draft' },
    };

    // Act
    await client.send(new PutItemCommand({ TableName: 'records', Item: item }));
    const got = await client.send(new GetItemCommand({ TableName: 'records', Key: { pk: item.pk, sk: item.sk } }));
    const byTenant = await client.send(
      new QueryCommand({
        TableName: 'records',
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :tenant',
        ExpressionAttributeValues: { ':tenant': { S: 'TENANT#t1' } },
      }),
    );

    // Assess
    const { status: _status, ...keysOnly } = item;
    expect(got.Item).toEqual(item);
    expect(byTenant.Items).toEqual([keysOnly]);
  });

  it('applies a TransactWriteItems with a failing condition all or nothing', async () => {
    // Prepare
    const key = { pk: { S: 'APP#2' }, sk: { S: 'META' } };
    await client.send(new PutItemCommand({ TableName: 'records', Item: { ...key, status: { S: 'submitted' } } }));

    // Act
    const transaction = client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: 'records', Item: { pk: { S: 'APP#2' }, sk: { S: 'TIMELINE#0001' } } } },
          {
            Update: {
              TableName: 'records',
              Key: key,
              UpdateExpression: 'SET #status = :next',
              ConditionExpression: '#status = :expected',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':next': { S: 'approved' }, ':expected': { S: 'draft' } },
            },
          },
        ],
      }),
    );

    // Assess
    await expect(transaction).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    const timeline = await client.send(
      new GetItemCommand({ TableName: 'records', Key: { pk: { S: 'APP#2' }, sk: { S: 'TIMELINE#0001' } } }),
    );
    const application = await client.send(new GetItemCommand({ TableName: 'records', Key: key }));
    expect(timeline.Item).toBeUndefined();
    expect(application.Item?.status).toEqual({ S: 'submitted' });
  });
});

describe('DynamoDB Local, on disk', { timeout: 60_000 }, () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'dynamodb-local-test-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps tables and items across a restart', async () => {
    // Prepare
    const first = await startDynamoDbLocal({ dataDir });
    const firstClient = clientOf(first.endpoint);
    await createTableFromTemplate(firstClient, 'records', RECORDS_TABLE_PROPERTIES);
    const key = { pk: { S: 'APP#kept' }, sk: { S: 'META' } };
    await firstClient.send(new PutItemCommand({ TableName: 'records', Item: { ...key, status: { S: 'draft' } } }));
    firstClient.destroy();
    await first.stop();

    // Act
    const second = await startDynamoDbLocal({ dataDir });
    const secondClient = clientOf(second.endpoint);
    try {
      const again = await createTableFromTemplate(secondClient, 'records', RECORDS_TABLE_PROPERTIES);
      const got = await secondClient.send(new GetItemCommand({ TableName: 'records', Key: key }));

      // Assess
      expect(again.created).toBe(false);
      expect(got.Item?.status).toEqual({ S: 'draft' });
    } finally {
      secondClient.destroy();
      await second.stop();
    }
  });

  it('starts Java with the options of DYNAMODB_LOCAL_JAVA_OPTS before the jar', async () => {
    // Prepare
    const before = process.env.DYNAMODB_LOCAL_JAVA_OPTS;
    process.env.DYNAMODB_LOCAL_JAVA_OPTS = ' -XX:TieredStopAtLevel=1   -Xmx256m ';
    const optionsDir = path.join(dataDir, 'options');

    // Act
    const engine = await startDynamoDbLocal({ dataDir: optionsDir });
    try {
      const command = javaCommandLine(optionsDir);

      // Assess
      expect(command.slice(1, command.indexOf('-jar'))).toEqual(expect.arrayContaining(['-XX:TieredStopAtLevel=1', '-Xmx256m']));
      expect(command).not.toContain('');
    } finally {
      await engine.stop();
      if (before === undefined) delete process.env.DYNAMODB_LOCAL_JAVA_OPTS;
      else process.env.DYNAMODB_LOCAL_JAVA_OPTS = before;
    }
  });
});

/** The command line of the Java process serving the database under `dataDir` (Linux's /proc). */
function javaCommandLine(dataDir: string): string[] {
  const pid = findDynamoDbLocalPid(dataDir);
  if (pid === undefined) throw new Error(`no Java process serves ${dataDir}`);
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
}

describe('DynamoDB Local, process lifetime', { timeout: 60_000 }, () => {
  it('fails to start on a port in use, with the explanation of the engine', async () => {
    // Prepare
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, resolve));
    const { port } = squatter.address() as AddressInfo;

    // Act
    const starting = startDynamoDbLocal({ port });

    // Assess
    try {
      await expect(starting).rejects.toThrow(DynamoDbLocalStartError);
      await expect(starting).rejects.toThrow(/Failed to bind/);
    } finally {
      squatter.close();
    }
  });

  it('stops the Java process when the Node process that started it is killed', async () => {
    // Prepare
    const fixture = fileURLToPath(new URL('./fixtures/start-dynamodb-local.ts', import.meta.url));
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [firstLine] = (await once(parent.stdout, 'data')) as [Buffer];
    const endpoint = firstLine.toString('utf8').trim();
    const client = clientOf(endpoint);
    await client.send(new ListTablesCommand({}));

    // Act
    parent.kill('SIGKILL');
    await once(parent, 'exit');

    // Assess
    const answers = async (): Promise<boolean> =>
      client.send(new ListTablesCommand({})).then(
        () => true,
        () => false,
      );
    const deadline = Date.now() + 10_000;
    while ((await answers()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    client.destroy();
    expect(await answers()).toBe(false);
  });
});
