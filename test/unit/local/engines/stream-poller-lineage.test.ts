// Shard lineage cannot be provoked in DynamoDB Local (it keeps one open shard per stream here), so these tests drive
// the poller with a Streams client whose answers come from a small in-memory stream.
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { type StreamPoller, startStreamPoller } from '../../../../infra/local/engines/stream-poller.ts';
import { FAKE_CREDENTIALS } from './fixtures/records-table-properties.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const STREAM_ARN = 'arn:aws:dynamodb:local:000000000000:table/records/stream/2026-01-01T00:00:00.000';

interface FakeShard {
  id: string;
  parent?: string;
  /** Sequence numbers of its records; the first is the shard's starting sequence number. */
  records: number[];
  closed: boolean;
}

/** A Streams client answering DescribeStream, GetShardIterator and GetRecords from `shards` as they are now. */
function fakeStream(shards: FakeShard[]): DynamoDBStreamsClient {
  const client = new DynamoDBStreamsClient({ region: 'local', credentials: FAKE_CREDENTIALS });
  const mock = mockClient(client);
  const shard = (id: string | undefined) => {
    const found = shards.find((candidate) => candidate.id === id);
    if (!found) throw new Error(`no shard ${id}`);
    return found;
  };
  mock.on(DescribeStreamCommand).callsFake(() => ({
    StreamDescription: {
      StreamArn: STREAM_ARN,
      Shards: shards.map((s) => ({
        ShardId: s.id,
        ParentShardId: s.parent,
        SequenceNumberRange: { StartingSequenceNumber: String(s.records[0]) },
      })),
    },
  }));
  mock.on(GetShardIteratorCommand).callsFake((input: { ShardId?: string; SequenceNumber?: string }) => {
    const records = shard(input.ShardId).records;
    const position = input.SequenceNumber ? records.indexOf(Number(input.SequenceNumber)) + 1 : 0;
    return { ShardIterator: `${input.ShardId}|${position}` };
  });
  mock.on(GetRecordsCommand).callsFake((input: { ShardIterator?: string; Limit?: number }) => {
    const [id, at] = (input.ShardIterator ?? '').split('|');
    const current = shard(id);
    const position = Number(at);
    const page = current.records.slice(position, position + (input.Limit ?? 1000));
    const next = position + page.length;
    const exhausted = current.closed && next >= current.records.length;
    return { Records: page.map(record), NextShardIterator: exhausted ? undefined : `${id}|${next}` };
  });
  return client;
}

function record(sequenceNumber: number): _Record {
  return {
    eventID: `event-${sequenceNumber}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    awsRegion: 'local',
    dynamodb: {
      Keys: { pk: { S: `ITEM#${sequenceNumber}` } },
      NewImage: { pk: { S: `ITEM#${sequenceNumber}` } },
      SequenceNumber: String(sequenceNumber),
      SizeBytes: 20,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

const sequenceNumbers = (records: DynamoDBRecord[]) => records.map((r) => Number(r.dynamodb?.SequenceNumber));

describe('stream poller shard lineage', () => {
  const pollers: StreamPoller[] = [];
  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
  });

  it('reads a closed parent shard to its end before its child, whatever order the shards are listed in', async () => {
    // Prepare
    const client = fakeStream([
      { id: 'child', parent: 'parent', records: [200, 201], closed: false },
      { id: 'parent', records: [100, 101, 102], closed: true },
    ]);
    const delivered: DynamoDBRecord[] = [];

    // Act
    pollers.push(
      startStreamPoller({
        client,
        streamArn: STREAM_ARN,
        batchSize: 2,
        pollIntervalMs: 10,
        handler: async (event) => void delivered.push(...event.Records),
      }),
    );
    await waitFor(() => delivered.length >= 5);

    // Assess
    expect(sequenceNumbers(delivered)).toEqual([100, 101, 102, 200, 201]);
  });

  it('follows a shard that appears after the one it was reading closes', async () => {
    // Prepare
    const shards: FakeShard[] = [{ id: 'first', records: [100], closed: false }];
    const client = fakeStream(shards);
    const delivered: DynamoDBRecord[] = [];
    pollers.push(
      startStreamPoller({
        client,
        streamArn: STREAM_ARN,
        pollIntervalMs: 10,
        handler: async (event) => void delivered.push(...event.Records),
      }),
    );
    await waitFor(() => delivered.length >= 1);

    // Act
    shards[0]?.records.push(101);
    if (shards[0]) shards[0].closed = true;
    shards.push({ id: 'second', parent: 'first', records: [200], closed: false });
    await waitFor(() => delivered.length >= 3);

    // Assess
    expect(sequenceNumbers(delivered)).toEqual([100, 101, 200]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
