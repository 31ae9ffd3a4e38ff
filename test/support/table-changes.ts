import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { LocalRuntime } from '../../infra/local/runtime.ts';
import { TABLE_NAME } from '../../infra/local/runtime.ts';

/** One change to an item of the records table, as its stream tells it. */
export interface TableChange {
  event: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** `pk` and `sk` of the item. */
  pk: string;
  sk: string;
  /** A removal made by DynamoDB itself: its time to live (`expiresAt`) passed. */
  expired: boolean;
}

/** How often the open shards are listed again, to pick up shards that appeared beside the ones being read. */
const SHARD_REFRESH_MS = 5_000;

/**
 * Every change made to the records table, read from its stream (which DynamoDB writes for every item that a request
 * changed, and only then: a write that leaves an item as it was makes no record). `drain()` answers the changes made
 * since the previous one, so the changes a request made are those drained right after it, once the table was quiet
 * before it (`settle`). A snapshot of the whole table before and after each request would tell the same, at the cost of
 * a scan of every item per request.
 */
export class TableChanges {
  private readonly iterators = new Map<string, string>();
  private readonly seen = new Set<string>();
  private refreshedAt = 0;

  private constructor(
    private readonly client: DynamoDBStreamsClient,
    private readonly streamArn: string,
  ) {}

  /** Starts reading the table's stream from now on (changes made before are not reported). */
  static async open(tableName = TABLE_NAME): Promise<TableChanges> {
    // The local runtime points the SDK at its engines through AWS_ENDPOINT_URL_DYNAMODB (the streams API is DynamoDB's).
    const client = new DynamoDBStreamsClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
    const streams = await client.send(new ListStreamsCommand({ TableName: tableName }));
    const streamArn = streams.Streams?.[0]?.StreamArn;
    if (!streamArn) throw new Error(`The table ${tableName} has no stream`);
    const changes = new TableChanges(client, streamArn);
    await changes.refreshShards('LATEST');
    return changes;
  }

  /** The changes made since the last call (or since `open`), in stream order per shard. */
  async drain(): Promise<TableChange[]> {
    const changes: TableChange[] = [];
    let closed = false;
    for (const [shardId, iterator] of [...this.iterators]) {
      let next: string | undefined = iterator;
      while (next) {
        const page: GetRecordsCommandOutput = await this.client.send(new GetRecordsCommand({ ShardIterator: next, Limit: 1000 }));
        for (const record of page.Records ?? []) {
          const keys = record.dynamodb?.Keys;
          changes.push({
            event: record.eventName as TableChange['event'],
            pk: String(keys?.pk?.S),
            sk: String(keys?.sk?.S),
            expired: record.userIdentity?.Type === 'Service',
          });
        }
        if (!page.NextShardIterator) {
          this.iterators.delete(shardId);
          closed = true;
          break;
        }
        this.iterators.set(shardId, page.NextShardIterator);
        next = page.Records?.length ? page.NextShardIterator : undefined;
      }
    }
    // A closed shard's children hold what follows it; they are read from their start.
    if (closed || Date.now() - this.refreshedAt > SHARD_REFRESH_MS) {
      if (await this.refreshShards('TRIM_HORIZON')) changes.push(...(await this.drain()));
    }
    return changes;
  }

  close(): void {
    this.client.destroy();
  }

  /** Starts reading the open shards not read yet; true when there were any. */
  private async refreshShards(from: 'LATEST' | 'TRIM_HORIZON'): Promise<boolean> {
    this.refreshedAt = Date.now();
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const page = await this.client.send(new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }));
      shards.push(...(page.StreamDescription?.Shards ?? []));
      start = page.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    let added = false;
    for (const shard of shards) {
      const id = shard.ShardId as string;
      if (this.seen.has(id) || shard.SequenceNumberRange?.EndingSequenceNumber) continue;
      this.seen.add(id);
      const iterator = await this.client.send(new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: id, ShardIteratorType: from }));
      if (iterator.ShardIterator) this.iterators.set(id, iterator.ShardIterator);
      added = true;
    }
    return added;
  }
}

/** What `settle` saw while it waited. */
export interface Settled {
  /** The changes made meanwhile (by the work a request set off: workflows, the stream's functions). */
  changes: TableChange[];
  waitedMs: number;
  /** It gave up before the system was quiet. */
  timedOut: boolean;
  /** What kept it busy last (`running Fn×1`, `invoked Fn×3`, `changed PK SK`), when it gave up. */
  busy?: string;
}

/**
 * Waits until the system is quiet: no function running, none invoked and no change to the table for `calmMs` (longer
 * than the stream pollers' 200 ms, so a change still to be picked up by a stream's function cannot slip by). Gives up
 * after `maxMs`.
 */
export async function settle(
  runtime: Pick<LocalRuntime, 'functions'>,
  changes: TableChanges,
  { calmMs = 300, maxMs = 10_000 }: { calmMs?: number; maxMs?: number } = {},
): Promise<Settled> {
  const started = Date.now();
  const seen: TableChange[] = [];
  let calmSince = started;
  let activity = activityOf(runtime);
  for (;;) {
    const drained = await changes.drain();
    seen.push(...drained);
    const now = activityOf(runtime);
    const invoked = [...now.counts].filter(([id, n]) => n !== activity.counts.get(id)).map(([id, n]) => `invoked ${id}×${n - (activity.counts.get(id) ?? 0)}`);
    const busy = [...now.running, ...invoked, ...drained.slice(0, 3).map((c) => `changed ${c.pk} ${c.sk}`)];
    if (busy.length > 0) calmSince = Date.now();
    activity = now;
    if (Date.now() - calmSince >= calmMs) return { changes: seen, waitedMs: Date.now() - started, timedOut: false };
    if (Date.now() - started >= maxMs) return { changes: seen, waitedMs: Date.now() - started, timedOut: true, busy: busy.join(', ') };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What the runtime is doing: invocations so far by function, and what runs now. */
export interface Activity {
  /** Invocations of every function together. */
  invocations: number;
  counts: ReadonlyMap<string, number>;
  /** `running <function>×n`; empty when no function runs. */
  running: string[];
  busy: boolean;
}

/**
 * What the runtime's functions are doing. Workflow executions count through the functions their tasks invoke: one that
 * waits (a task token, a Wait state, a retry's backoff) does nothing until it invokes one again.
 */
export function activityOf(runtime: Pick<LocalRuntime, 'functions'>): Activity {
  let invocations = 0;
  const running: string[] = [];
  const finished = runtime.functions.durations();
  const counts = new Map(runtime.functions.invocations());
  for (const [id, count] of counts) {
    invocations += count;
    const open = count - (finished.get(id)?.length ?? 0);
    if (open > 0) running.push(`running ${id}×${open}`);
  }
  return { invocations, counts, running, busy: running.length > 0 };
}
