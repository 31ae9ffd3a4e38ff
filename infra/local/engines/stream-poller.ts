import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  type DynamoDBStreamsClientConfig,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type Shard,
  type _Record as SdkRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { log } from '../../../shared/log.ts';
import { loadCheckpoint, type ShardProgress, type StreamCheckpoint, saveCheckpoint } from './stream-checkpoint.ts';
import { toLambdaRecord } from './stream-record.ts';

export {
  type FilterPattern,
  FilterPatternError,
  filterFromCriteria,
  matchesFilterCriteria,
} from './filter-criteria.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Options of {@link startStreamPoller}; the names follow the event source mapping's where there is one. */
export interface StreamPollerOptions {
  /** A Streams client of the engine, or the configuration to build one with (it is then destroyed on stop). */
  client: DynamoDBStreamsClient | DynamoDBStreamsClientConfig;
  /** The table whose (latest) stream to read; or give `streamArn`. */
  tableName?: string;
  streamArn?: string;
  /** The function: a batch of records in stream order; may report `batchItemFailures` (by sequence number). */
  handler: (event: DynamoDBStreamEvent) => Promise<void | DynamoDBBatchResponse>;
  /** Records it rejects are not delivered, and are checkpointed like delivered ones (see `filterFromCriteria`). */
  filter?: (record: DynamoDBRecord) => boolean;
  /** Most records read per batch (default 25; at most 1000, the GetRecords limit). */
  batchSize?: number;
  /** Pause between polls when there was nothing to read (default 250 ms: Lambda polls a shard four times a second). */
  pollIntervalMs?: number;
  /** JSON file of the last handled sequence number per shard; without one, a restart reads from the oldest record. */
  checkpointFile?: string;
  /** Retries of a failing batch before it is logged and skipped (default 5); -1: until stopped (AWS's default). */
  maxRetryAttempts?: number;
  /** First delay between retries, doubled each time up to 5 s (default 200 ms). */
  retryDelayMs?: number;
  /** Split a failing batch in two and retry the halves separately, to isolate a bad record (default false). */
  bisectBatchOnError?: boolean;
  /** Receives each batch skipped after its retries, as the mapping's on-failure destination would. */
  onDiscardedBatch?: (batch: DiscardedBatch) => void | Promise<void>;
}

/** A batch given up on; the fields of the `DDBStreamBatchInfo` an on-failure destination receives, and the error. */
export interface DiscardedBatch {
  streamArn: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
  attempts: number;
  error: unknown;
}

/** A running poller. */
export interface StreamPoller {
  /** Stops polling after the handler call in progress, if any; a batch not yet handled is not checkpointed. */
  stop(): Promise<void>;
}

const MAX_RETRY_DELAY_MS = 5_000;
const GET_RECORDS_LIMIT = 1_000;
const NO_STREAM_RETRY_MS = 1_000;
/**
 * How long a listing of the stream's shards serves the polls before it is read again. A shard that ends has it read
 * again at once (its children are then listed), as does a failed poll; the age bounds how late any other new shard is
 * seen. Listing the shards on every poll as well as reading them was a third of an idle runtime's CPU, Java's and Node's.
 */
const SHARD_LIST_MAX_AGE_MS = 5_000;

/**
 * Emulates a Lambda event source mapping on a DynamoDB stream (starting position TRIM_HORIZON):
 *
 * - Records reach the handler in stream order, one batch at a time; a closed parent shard is read to its end before
 *   its children, and shards that appear later are picked up.
 * - A batch whose handler throws is retried with backoff, never skipped silently: after `maxRetryAttempts` it is
 *   logged as an error, handed to `onDiscardedBatch`, and the poller moves on. With `batchItemFailures`, the records
 *   before the first failed one count as done and the rest is retried.
 * - After each handled batch the last sequence number of the shard is written to `checkpointFile`; a restart
 *   resumes after it: at least once, nothing checkpointed is delivered again, nothing is lost.
 */
export function startStreamPoller(options: StreamPollerOptions): StreamPoller {
  if (!options.tableName && !options.streamArn) throw new Error('startStreamPoller needs tableName or streamArn');
  const poller = new Poller(options);
  const running = poller.run().catch((error: unknown) => log.error('stream poller ended on an error', { error }));
  let stopping: Promise<void> | undefined;
  return {
    stop: () =>
      (stopping ??= (async () => {
        poller.abort();
        await running;
        poller.dispose();
      })()),
  };
}

class Poller {
  private readonly controller = new AbortController();
  private readonly client: DynamoDBStreamsClient;
  private readonly ownsClient: boolean;
  private readonly iterators = new Map<string, string>();
  private checkpoint: StreamCheckpoint = { streamArn: '', shards: {} };
  /** The stream's shards as last listed, and when (`SHARD_LIST_MAX_AGE_MS`); none: list them on the next poll. */
  private listed: { shards: Shard[]; at: number } | undefined;

  constructor(private readonly options: StreamPollerOptions) {
    this.ownsClient = !(options.client instanceof DynamoDBStreamsClient);
    this.client =
      options.client instanceof DynamoDBStreamsClient ? options.client : new DynamoDBStreamsClient(options.client);
  }

  abort(): void {
    this.controller.abort();
  }

  dispose(): void {
    if (this.ownsClient) this.client.destroy();
  }

  private get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  async run(): Promise<void> {
    const streamArn = await this.resolveStream();
    if (!streamArn) return;
    this.checkpoint = await loadCheckpoint(this.options.checkpointFile, streamArn);
    while (!this.stopped) {
      const progressed = await this.pollOnce().catch((error: unknown) => {
        this.listed = undefined;
        if (!this.stopped) log.warn('stream poll failed; polling again', { streamArn, error });
        return false;
      });
      if (!progressed) await this.pause(this.options.pollIntervalMs ?? 250);
    }
  }

  /** The stream ARN; waits (until stopped) for a table that has none yet, as a mapping would fail to enable. */
  private async resolveStream(): Promise<string | undefined> {
    if (this.options.streamArn) return this.options.streamArn;
    let warned = false;
    while (!this.stopped) {
      try {
        const { Streams } = await this.client.send(
          new ListStreamsCommand({ TableName: this.options.tableName }),
          this.call,
        );
        // Labels are creation times: the last one is the table's current stream.
        const latest = (Streams ?? []).sort((a, b) => compare(a.StreamLabel ?? '', b.StreamLabel ?? '')).at(-1);
        if (latest?.StreamArn) return latest.StreamArn;
      } catch (error) {
        if (this.stopped) return undefined;
        if (!warned) log.warn('stream poller cannot list streams yet', { tableName: this.options.tableName, error });
        warned = true;
      }
      if (!warned) log.warn('table has no stream yet; waiting', { tableName: this.options.tableName });
      warned = true;
      await this.pause(NO_STREAM_RETRY_MS);
    }
    return undefined;
  }

  /** One pass over the shards that are ready to read; true when anything was read or finished. */
  private async pollOnce(): Promise<boolean> {
    if (!this.listed || Date.now() - this.listed.at >= SHARD_LIST_MAX_AGE_MS) this.listed = { shards: await this.listShards(), at: Date.now() };
    const shards = [...this.listed.shards];
    const known = new Set(shards.map((shard) => shard.ShardId));
    this.forgetShardsOtherThan(known);
    let progressed = false;
    // Children start after their parents in sequence number, so a parent finished in this pass frees its children.
    for (const shard of shards.sort((a, b) => compareSequence(startOf(a), startOf(b)))) {
      const id = shard.ShardId;
      if (this.stopped || !id || this.progress(id).finished) continue;
      const parent = shard.ParentShardId;
      // A parent no longer listed has been trimmed away: nothing of it is left to read first.
      if (parent && known.has(parent) && !this.progress(parent).finished) continue;
      if (await this.readShard(id)) progressed = true;
    }
    return progressed;
  }

  private async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let startAfter: string | undefined;
    do {
      const { StreamDescription } = await this.client.send(
        new DescribeStreamCommand({ StreamArn: this.checkpoint.streamArn, ExclusiveStartShardId: startAfter }),
        this.call,
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      startAfter = StreamDescription?.LastEvaluatedShardId;
    } while (startAfter);
    return shards;
  }

  /** Reads one page of a shard and hands it on; true when records were read or the shard turned out finished. */
  private async readShard(shardId: string): Promise<boolean> {
    const iterator = this.iterators.get(shardId) ?? (await this.shardIterator(shardId));
    let page;
    try {
      const limit = Math.min(this.options.batchSize ?? 25, GET_RECORDS_LIMIT);
      page = await this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }), this.call);
    } catch (error) {
      // Iterators expire after 15 minutes; a fresh one starts from the checkpoint.
      if ((error as Error).name !== 'ExpiredIteratorException') throw error;
      this.iterators.delete(shardId);
      return true;
    }
    const records = page.Records ?? [];
    if (records.length > 0 && (await this.deliver(shardId, records)) === 'stopped') return false;
    if (page.NextShardIterator) {
      this.iterators.set(shardId, page.NextShardIterator);
    } else {
      this.iterators.delete(shardId);
      this.progress(shardId).finished = true;
      this.listed = undefined;
      await this.save();
    }
    return records.length > 0 || !page.NextShardIterator;
  }

  private async shardIterator(shardId: string): Promise<string> {
    const after = this.progress(shardId).sequenceNumber;
    try {
      const position = after
        ? ({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } as const)
        : ({ ShardIteratorType: 'TRIM_HORIZON' } as const);
      const { ShardIterator } = await this.client.send(
        new GetShardIteratorCommand({ StreamArn: this.checkpoint.streamArn, ShardId: shardId, ...position }),
        this.call,
      );
      if (!ShardIterator) throw new Error(`no shard iterator for ${shardId}`);
      return ShardIterator;
    } catch (error) {
      if (!after || (error as Error).name !== 'TrimmedDataAccessException') throw error;
      // Records after the checkpoint were trimmed (older than the stream's retention) before we read them.
      log.error('stream records were trimmed before they were read; resuming at the oldest record', { shardId, after });
      delete this.progress(shardId).sequenceNumber;
      return this.shardIterator(shardId);
    }
  }

  /** Filters a page, invokes the handler with what passes, and checkpoints the whole page. */
  private async deliver(shardId: string, page: SdkRecord[]): Promise<'done' | 'stopped'> {
    const records = page.map((record) => toLambdaRecord(record, this.checkpoint.streamArn));
    const { filter } = this.options;
    const matched = filter ? records.filter((record) => filter(record)) : records;
    if (matched.length > 0 && (await this.invoke(shardId, matched)) === 'stopped') return 'stopped';
    await this.commit(shardId, records.at(-1));
    return 'done';
  }

  /** Invokes the handler until the batch succeeds, is given up on, or the poller stops. */
  private async invoke(shardId: string, batch: DynamoDBRecord[]): Promise<'done' | 'stopped'> {
    const { maxRetryAttempts = 5, retryDelayMs = 200 } = this.options;
    let remaining = batch;
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) return 'stopped';
      let failedAt: number;
      let error: unknown;
      try {
        failedAt = firstFailedIndex(await this.options.handler({ Records: remaining }), remaining);
        error = new Error(`the handler reported batchItemFailures from record ${failedAt}`);
      } catch (thrown) {
        failedAt = 0;
        error = thrown;
      }
      if (failedAt === -1) {
        await this.commit(shardId, remaining.at(-1));
        return 'done';
      }
      if (failedAt > 0) {
        await this.commit(shardId, remaining[failedAt - 1]);
        remaining = remaining.slice(failedAt);
      } else if (this.options.bisectBatchOnError && remaining.length > 1) {
        // Splitting does not count as a retry (as in AWS): each half gets its own attempts.
        const half = Math.ceil(remaining.length / 2);
        log.warn('stream batch failed; splitting it', { shardId, records: remaining.length, error });
        if ((await this.invoke(shardId, remaining.slice(0, half))) === 'stopped') return 'stopped';
        return this.invoke(shardId, remaining.slice(half));
      }
      if (maxRetryAttempts >= 0 && attempt > maxRetryAttempts) {
        await this.discard(shardId, remaining, attempt, error);
        await this.commit(shardId, remaining.at(-1));
        return 'done';
      }
      log.warn('stream batch failed; retrying', { shardId, attempt, records: remaining.length, error });
      await this.pause(Math.min(retryDelayMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS));
    }
  }

  private async discard(shardId: string, batch: DynamoDBRecord[], attempts: number, error: unknown): Promise<void> {
    const discarded: DiscardedBatch = {
      streamArn: this.checkpoint.streamArn,
      shardId,
      startSequenceNumber: batch[0]?.dynamodb?.SequenceNumber ?? '',
      endSequenceNumber: batch.at(-1)?.dynamodb?.SequenceNumber ?? '',
      batchSize: batch.length,
      attempts,
      error,
    };
    log.error('stream batch failed after its retries; skipping it', { ...discarded });
    try {
      await this.options.onDiscardedBatch?.(discarded);
    } catch (failure) {
      log.error('onDiscardedBatch failed', { shardId, error: failure });
    }
  }

  private async commit(shardId: string, record: DynamoDBRecord | undefined): Promise<void> {
    const sequenceNumber = record?.dynamodb?.SequenceNumber;
    const progress = this.progress(shardId);
    if (!sequenceNumber || progress.sequenceNumber === sequenceNumber) return;
    progress.sequenceNumber = sequenceNumber;
    await this.save();
  }

  private progress(shardId: string): ShardProgress {
    this.checkpoint.shards[shardId] ??= {};
    return this.checkpoint.shards[shardId];
  }

  /** Drops shards the stream no longer lists (trimmed after 24 hours), so the checkpoint does not grow forever. */
  private forgetShardsOtherThan(known: Set<string | undefined>): void {
    for (const id of Object.keys(this.checkpoint.shards)) {
      if (!known.has(id)) delete this.checkpoint.shards[id];
    }
  }

  private save(): Promise<void> {
    return saveCheckpoint(this.options.checkpointFile, this.checkpoint);
  }

  /** Lets `stop()` abort a call to the engine in flight (never a handler call). */
  private get call(): { abortSignal: AbortSignal } {
    return { abortSignal: this.controller.signal };
  }

  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.controller.signal }).catch(() => undefined);
  }
}

/**
 * Where a handler's `batchItemFailures` say to resume: -1 for success, else the index of the earliest failed record.
 * An identifier that is missing or names no record of the batch fails the whole batch, as Lambda treats it.
 */
function firstFailedIndex(result: unknown, batch: DynamoDBRecord[]): number {
  const failures = (result as Partial<DynamoDBBatchResponse> | undefined)?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return -1;
  let first = batch.length;
  for (const failure of failures) {
    const index = batch.findIndex((record) => record.dynamodb?.SequenceNumber === failure?.itemIdentifier);
    if (!failure?.itemIdentifier || index === -1) return 0;
    first = Math.min(first, index);
  }
  return first;
}

function startOf(shard: Shard): string {
  return shard.SequenceNumberRange?.StartingSequenceNumber ?? '0';
}

/** Sequence numbers are decimal strings of varying length. */
function compareSequence(a: string, b: string): number {
  const [x, y] = [BigInt(a), BigInt(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
