import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableFromTemplate, type DynamoDbLocal, startDynamoDbLocal } from '../../../../infra/local/engines/dynamodb-local.ts';
import { type DynamoDbMeter, itemSize, startDynamoDbMeter } from '../../../../infra/local/engines/dynamodb-meter.ts';
import { FAKE_CREDENTIALS, RECORDS_TABLE_PROPERTIES } from './fixtures/records-table-properties.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const S = (value: string) => ({ S: value });
/** An application-like item of about 1.5 KB, in the tenant index (gsi1). */
const application = (id: string) => ({
  pk: S(`APP#${id}`),
  sk: S('APP'),
  entity: S('application'),
  gsi1pk: S('TENANT#t1#APPS'),
  gsi1sk: S(`2026-12-01#${id}`),
  detail: S('x'.repeat(1400)),
});

describe('the DynamoDB meter in front of DynamoDB Local', { timeout: 30_000 }, () => {
  let engine: DynamoDbLocal;
  let meter: DynamoDbMeter;
  let client: DynamoDBClient;
  const signedAs = (accessKeyId: string) =>
    new DynamoDBClient({ endpoint: meter.endpoint, region: 'local', credentials: { accessKeyId, secretAccessKey: 'x' }, maxAttempts: 1 });

  beforeAll(async () => {
    engine = await startDynamoDbLocal();
    meter = await startDynamoDbMeter({ target: engine.endpoint });
    client = signedAs('LOCALCreateApplication');
    await createTableFromTemplate(new DynamoDBClient({ endpoint: engine.endpoint, region: 'local', credentials: FAKE_CREDENTIALS }), 'records', RECORDS_TABLE_PROPERTIES);
  }, 60_000);
  afterAll(async () => {
    client?.destroy();
    await meter?.stop();
    await engine?.stop();
  });

  it('records the request units each caller’s operations consumed, the indexes’ part apart, and answers what DynamoDB would', async () => {
    // Act
    const put = await client.send(new PutItemCommand({ TableName: 'records', Item: application('a1') }));
    const update = await client.send(
      new UpdateItemCommand({ TableName: 'records', Key: { pk: S('APP#a1'), sk: S('APP') }, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': S('submitted') } }),
    );
    const read = await signedAs('LOCALGetApplication').send(new GetItemCommand({ TableName: 'records', Key: { pk: S('APP#a1'), sk: S('APP') } }));
    const asked = await signedAs('LOCALGetApplication').send(
      new QueryCommand({ TableName: 'records', IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :t', ExpressionAttributeValues: { ':t': S('TENANT#t1#APPS') }, ReturnConsumedCapacity: 'TOTAL' }),
    );

    // Assess: a 1.5 KB item is 2 write units in the table and 1 in the keys-only index it enters; updating an attribute
    // that is not a key writes the table only; an eventually consistent read of it is half a unit. The SDK checked each
    // answer's CRC32, and saw consumed capacity only where it asked.
    const usage = meter.usage();
    expect(usage.byCaller.LOCALCreateApplication?.PutItem).toMatchObject({ requests: 1, writeUnits: 3, readUnits: 0, indexUnits: { gsi1: 1 } });
    expect(usage.byCaller.LOCALCreateApplication?.UpdateItem).toMatchObject({ requests: 1, writeUnits: 2, indexUnits: {} });
    expect(usage.byCaller.LOCALGetApplication?.GetItem).toMatchObject({ requests: 1, readUnits: 0.5 });
    expect(usage.byCaller.LOCALGetApplication?.Query).toMatchObject({ requests: 1, readUnits: 0.5 });
    expect(put.ConsumedCapacity).toBeUndefined();
    expect(update.ConsumedCapacity).toBeUndefined();
    expect(read.Item?.status).toEqual(S('submitted'));
    expect(read.ConsumedCapacity).toBeUndefined();
    expect(asked.ConsumedCapacity).toMatchObject({ TableName: 'records', CapacityUnits: 0.5 });
  });

  it('counts transactions at twice the units, and refused writes and cancelled transactions apart', async () => {
    // Prepare
    const caller = signedAs('LOCALSubmitApplication');
    const transaction = (id: string) =>
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: 'records', Item: application(id), ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: 'records', Item: { pk: S(`APP#${id}`), sk: S('EVENT#1'), entity: S('event') } } },
        ],
      });

    // Act
    await caller.send(transaction('t1'));
    const cancelled = await caller.send(transaction('t1')).catch((error: Error) => error.name);
    const refused = await caller
      .send(new PutItemCommand({ TableName: 'records', Item: application('t1'), ConditionExpression: 'attribute_not_exists(pk)' }))
      .catch((error: Error) => error.name);

    // Assess
    const usage = meter.usage().byCaller.LOCALSubmitApplication;
    expect(cancelled).toBe('TransactionCanceledException');
    expect(refused).toBe('ConditionalCheckFailedException');
    expect(usage?.TransactWriteItems).toMatchObject({ requests: 2, writeUnits: 2 * (2 + 1) + 2 * 1, cancelledTransactions: 1, cancelledTransactionItems: 2 });
    expect(usage?.PutItem).toMatchObject({ requests: 1, writeUnits: 0, refusedWrites: 1 });
    expect(meter.usage().itemSizes.event).toMatchObject({ count: 2 });
  });

  it('sizes items as DynamoDB does: names and values, numbers by their digits', () => {
    // Act
    const size = itemSize({ pk: S('ab'), n: { N: '12345' }, ok: { BOOL: true }, l: { L: [S('x'), { N: '1' }] }, m: { M: { k: S('v') } } });

    // Assess: pk 2+2, n 1+4 (ceil(5/2)+1), ok 2+1, l 1+(3+1+1+1+2), m 1+(3+1+1+1)
    expect(size).toBe(4 + 5 + 3 + 9 + 7);
  });
});
