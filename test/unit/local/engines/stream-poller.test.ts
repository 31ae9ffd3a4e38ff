import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTableFromTemplate,
  type DynamoDbLocal,
  startDynamoDbLocal,
} from '../../../../infra/local/engines/dynamodb-local.ts';
import {
  type DiscardedBatch,
  filterFromCriteria,
  type StreamPoller,
  type StreamPollerOptions,
  startStreamPoller,
} from '../../../../infra/local/engines/stream-poller.ts';
import { FAKE_CREDENTIALS, RECORDS_TABLE_PROPERTIES } from './fixtures/records-table-properties.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Retries and discards are logged on purpose in these tests.
process.env.LOG_LEVEL = 'SILENT';

/** The outbox mapping's filter, as CloudFormation holds it (`FilterCriteria.Filters[].Pattern`). */
const OUTBOX_PATTERN = JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['event'] } } } });

describe('stream poller on DynamoDB Local', { timeout: 30_000 }, () => {
  let engine: DynamoDbLocal;
  let dynamo: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  let workDir: string;
  const pollers: StreamPoller[] = [];
  let tableCount = 0;

  beforeAll(async () => {
    engine = await startDynamoDbLocal();
    const config = { endpoint: engine.endpoint, region: 'local', credentials: FAKE_CREDENTIALS };
    dynamo = new DynamoDBClient(config);
    streams = new DynamoDBStreamsClient(config);
    workDir = await mkdtemp(path.join(tmpdir(), 'stream-poller-test-'));
  }, 60_000);
  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
  });
  afterAll(async () => {
    dynamo?.destroy();
    streams?.destroy();
    await engine?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  /** Each test gets its own table, so its stream holds only its own records. */
  const newTable = async (): Promise<string> => {
    const name = `records-${++tableCount}`;
    await createTableFromTemplate(dynamo, name, RECORDS_TABLE_PROPERTIES);
    return name;
  };
  const putEvent = (table: string, id: string, entity = 'event') =>
    dynamo.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: `EVENT#${id}` }, sk: { S: 'EVENT' }, entity: { S: entity }, id: { S: id } },
      }),
    );
  const start = (options: Omit<StreamPollerOptions, 'client'>): StreamPoller => {
    const poller = startStreamPoller({ client: streams, pollIntervalMs: 20, retryDelayMs: 10, ...options });
    pollers.push(poller);
    return poller;
  };
  const idsOf = (records: DynamoDBRecord[]) => records.map((record) => record.dynamodb?.NewImage?.id?.S);

  it('delivers inserted outbox events in order, filtered by the template pattern, in Lambda shape', async () => {
    // Prepare
    const table = await newTable();
    const checkpointFile = path.join(workDir, 'filtered.json');
    const delivered: DynamoDBRecord[] = [];
    await putEvent(table, 'e1');
    await putEvent(table, 'a1', 'application');
    await putEvent(table, 'e2');
    await dynamo.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: 'EVENT#e1' }, sk: { S: 'EVENT' } },
        UpdateExpression: 'SET seen = :true',
        ExpressionAttributeValues: { ':true': { BOOL: true } },
      }),
    );
    await putEvent(table, 'e3');
    await putEvent(table, 'a2', 'application');

    // Act
    start({
      tableName: table,
      checkpointFile,
      filter: filterFromCriteria([OUTBOX_PATTERN]),
      handler: async (event) => {
        delivered.push(...event.Records);
      },
    });
    await waitFor(() => delivered.length >= 3);

    // Assess
    expect(idsOf(delivered)).toEqual(['e1', 'e2', 'e3']);
    const [first] = delivered;
    expect(first).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: expect.stringMatching(new RegExp(`^arn:aws:dynamodb:.*:table/${table}/stream/`)),
      dynamodb: {
        Keys: { pk: { S: 'EVENT#e1' }, sk: { S: 'EVENT' } },
        NewImage: { entity: { S: 'event' }, id: { S: 'e1' } },
        StreamViewType: 'NEW_IMAGE',
        SequenceNumber: expect.any(String),
        SizeBytes: expect.any(Number),
        ApproximateCreationDateTime: expect.any(Number),
      },
    });
    expect(typeof first?.eventID).toBe('string');
    // Records filtered out after the last event (the application a2) are checkpointed too.
    const lastEvent = BigInt(delivered[2]?.dynamodb?.SequenceNumber ?? 0);
    await waitFor(async () => BigInt((await lastCheckpointed(checkpointFile)) ?? 0) > lastEvent);
  });

  it('hands a batch whose handler threw to the handler again', async () => {
    // Prepare
    const table = await newTable();
    await putEvent(table, 'e1');
    await putEvent(table, 'e2');
    const calls: DynamoDBStreamEvent[] = [];

    // Act
    start({
      tableName: table,
      handler: async (event) => {
        calls.push(event);
        if (calls.length === 1) throw new Error('dispatcher down');
      },
    });
    await waitFor(() => calls.length >= 2);

    // Assess
    const eventIds = (event: DynamoDBStreamEvent | undefined) => event?.Records.map((record) => record.eventID);
    expect(eventIds(calls[1])).toEqual(eventIds(calls[0]));
    expect(idsOf(calls[1]?.Records ?? [])).toEqual(['e1', 'e2']);
  });

  it('resumes after the checkpoint when restarted: only new records are delivered', async () => {
    // Prepare
    const table = await newTable();
    const checkpointFile = path.join(workDir, 'restart.json');
    const firstRun: DynamoDBRecord[] = [];
    await putEvent(table, 'e1');
    await putEvent(table, 'e2');
    const first = start({
      tableName: table,
      checkpointFile,
      handler: async (event) => void firstRun.push(...event.Records),
    });
    await waitFor(() => firstRun.length >= 2);
    await first.stop();
    await putEvent(table, 'e3');
    await putEvent(table, 'e4');
    const secondRun: DynamoDBRecord[] = [];

    // Act
    start({ tableName: table, checkpointFile, handler: async (event) => void secondRun.push(...event.Records) });
    await waitFor(() => secondRun.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Assess
    expect(idsOf(firstRun)).toEqual(['e1', 'e2']);
    expect(idsOf(secondRun)).toEqual(['e3', 'e4']);
  });

  it('gives up on a batch after its retries, reports it, and moves on', async () => {
    // Prepare
    const table = await newTable();
    await putEvent(table, 'poison');
    const discarded: DiscardedBatch[] = [];
    const delivered: DynamoDBRecord[] = [];
    let attempts = 0;

    // Act
    start({
      tableName: table,
      maxRetryAttempts: 2,
      onDiscardedBatch: (batch) => void discarded.push(batch),
      handler: async (event) => {
        if (idsOf(event.Records).includes('poison')) {
          attempts++;
          throw new Error('cannot handle');
        }
        delivered.push(...event.Records);
      },
    });
    await waitFor(() => discarded.length === 1);
    await putEvent(table, 'e2');
    await waitFor(() => delivered.length === 1);

    // Assess
    expect(attempts).toBe(3);
    expect(discarded[0]).toMatchObject({
      batchSize: 1,
      attempts: 3,
      error: expect.objectContaining({ message: 'cannot handle' }),
    });
    expect(idsOf(delivered)).toEqual(['e2']);
  });

  it('retries from the first failed record reported in batchItemFailures', async () => {
    // Prepare
    const table = await newTable();
    for (const id of ['e1', 'e2', 'e3']) await putEvent(table, id);
    const calls: DynamoDBRecord[][] = [];

    // Act
    start({
      tableName: table,
      handler: async (event) => {
        calls.push(event.Records);
        if (calls.length > 1) return;
        return { batchItemFailures: [{ itemIdentifier: event.Records[1]?.dynamodb?.SequenceNumber ?? '' }] };
      },
    });
    await waitFor(() => calls.length >= 2);

    // Assess
    expect(calls.map(idsOf)).toEqual([
      ['e1', 'e2', 'e3'],
      ['e2', 'e3'],
    ]);
  });

  it('isolates a bad record by splitting the batch when bisecting', async () => {
    // Prepare
    const table = await newTable();
    for (const id of ['e1', 'e2', 'poison', 'e4']) await putEvent(table, id);
    const delivered: DynamoDBRecord[] = [];
    const discarded: DiscardedBatch[] = [];

    // Act
    start({
      tableName: table,
      bisectBatchOnError: true,
      maxRetryAttempts: 1,
      onDiscardedBatch: (batch) => void discarded.push(batch),
      handler: async (event) => {
        if (idsOf(event.Records).includes('poison')) throw new Error('cannot handle');
        delivered.push(...event.Records);
      },
    });
    await waitFor(() => delivered.length === 3 && discarded.length === 1);

    // Assess
    expect(idsOf(delivered)).toEqual(['e1', 'e2', 'e4']);
    expect(discarded[0]?.batchSize).toBe(1);
  });
});

async function lastCheckpointed(file: string): Promise<string | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    const checkpoint = JSON.parse(text) as { shards: Record<string, { sequenceNumber?: string }> };
    return Object.values(checkpoint.shards).at(-1)?.sequenceNumber;
  } catch {
    return undefined;
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
