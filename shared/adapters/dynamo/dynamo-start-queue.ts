import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapConcurrently, sleep } from '../../concurrency.ts';
import type { Execution } from '../../ports/execution-starts.ts';
import * as z from '../../zod.ts';
import { isConditionFailure } from './client.ts';
import { keys, shardOf } from './keys.ts';

/**
 * Partitions the start requests are spread over (by a hash of the execution name): a batch writes a request with each
 * transaction of submitted rows, fifty a second at times, and the callers' own requests come on top; one partition takes
 * at most 1,000 writes a second. A drain queries them in turn.
 */
export const START_QUEUE_SHARDS = 8;

/** The keys of the queue's items (layout in `keys.ts`). */
export const startKeys = {
  request: (execution: Pick<Execution, 'machine' | 'name'>, batchId?: string) =>
    keys.startRequest(shardOf(execution.name, START_QUEUE_SHARDS), ownerOf(batchId), execution.machine, execution.name),
} as const;

/** The sort-key prefix of a batch's requests, or of those of no batch. */
function ownerOf(batchId: string | undefined): string {
  return `${batchId ?? '-'}#`;
}

/**
 * A start request as stored. `leaseUntil` (epoch ms): whoever claimed it starts it until then; 0 is unclaimed. One
 * execution (`name`, `input`), or a batch's group (`executions`: the rows of one transaction; `name` is the first's).
 */
const StoredStart = z.object({
  pk: z.string(),
  sk: z.string(),
  machine: z.enum(['review', 'delivery']),
  name: z.string(),
  input: z.optional(z.string()),
  /** A group's executions, as JSON: `[{ name, input }]`, all of `machine`. */
  executions: z.optional(z.string()),
  requestedAt: z.string(),
  leaseUntil: z.number(),
  /** Who holds it until `leaseUntil` (see `Holder`); nobody when absent. */
  heldBy: z.optional(z.enum(['batch', 'caller', 'drainer', 'backoff'])),
  attempts: z.number().check(z.int(), z.minimum(0)),
  batchId: z.optional(z.string()),
});

/**
 * Who holds a request until its `leaseUntil`:
 * - `batch`: a batch row's, born held by its batch's ingestion workflow, the one drainer of the batch's requests (so it
 *   needs no claim per request); the sweep takes over what is still there when that lease runs out;
 * - `caller`: born held by the start that wrote it, which starts it at once if the pace allows;
 * - `drainer`: claimed by a drain (the sweep);
 * - `backoff`: given back after a failed start, not to be tried again before `leaseUntil`.
 */
export type Holder = NonNullable<z.infer<typeof StoredStart>['heldBy']>;

/** How long a batch row's request is its batch workflow's alone: past it, the sweep may start it too. */
export const BATCH_REQUEST_LEASE_MS = 10 * 60_000;

/**
 * A request read from the queue: what it starts (one execution, or a batch's group of them), and what the queue needs
 * to claim, release or remove it. A request is removed once every execution it names has started.
 */
export interface QueuedStart {
  key: { pk: string; sk: string };
  executions: Execution[];
  attempts: number;
}

const BATCH_WRITE_ITEMS = 25;
/** Claims in flight at once. */
const CLAIM_CONCURRENCY = 16;

/**
 * The item requesting `execution`, free (`leaseUntil` 0) unless held from the start (`heldBy`). A batch row's request is
 * written with the row, in the row's transaction, held by the batch (`BATCH_REQUEST_LEASE_MS` from `now`).
 */
export function startRequestItem(
  execution: Execution,
  options: { requestedAt: string; batchId?: string; leaseUntil?: number; heldBy?: Holder },
): Record<string, unknown> {
  return {
    ...startKeys.request(execution, options.batchId),
    entity: 'start_request',
    machine: execution.machine,
    name: execution.name,
    input: JSON.stringify(execution.input),
    requestedAt: options.requestedAt,
    leaseUntil: options.leaseUntil ?? 0,
    ...(options.heldBy ? { heldBy: options.heldBy } : {}),
    attempts: 0,
    ...(options.batchId ? { batchId: options.batchId } : {}),
  };
}

/**
 * How long a caller holds the request it wrote (its own start right after, at the pace's `inlineWaitMs` at most): past
 * it, a caller that died is replaced by the sweep.
 */
export const CALLER_REQUEST_LEASE_MS = 30_000;

/**
 * A request written in the transaction of the change that asks for it (a submission's status change), held by the
 * writer for its own start right after (`PacedStarts.request` with `requested`, which reads it as `requestedStart`).
 */
export function callerStartRequestItem(execution: Execution, options: { requestedAt: string; now: number }): Record<string, unknown> {
  return startRequestItem(execution, { requestedAt: options.requestedAt, leaseUntil: options.now + CALLER_REQUEST_LEASE_MS, heldBy: 'caller' });
}

/** The queued request a caller wrote itself with `callerStartRequestItem` (no batch), without reading it back. */
export function requestedStart(execution: Execution): QueuedStart {
  return { key: startKeys.request(execution), executions: [execution], attempts: 0 };
}

/**
 * The request of a batch's rows written in one transaction, for that transaction: one item naming every submitted
 * row's review (a row's items are otherwise its application, its guard and its events: one request item a row would
 * be a fifth of everything ingestion writes). Held by the batch's workflow for `BATCH_REQUEST_LEASE_MS`. Keyed by the
 * first execution, so a transaction sent again writes the same item.
 */
export function batchStartRequestItem(executions: Execution[], options: { requestedAt: string; batchId: string; now: number }): Record<string, unknown> {
  const [first] = executions;
  if (!first || executions.some((e) => e.machine !== first.machine)) throw new Error('A group of start requests takes one or more executions of one machine.');
  const item = startRequestItem(first, { ...options, leaseUntil: options.now + BATCH_REQUEST_LEASE_MS, heldBy: 'batch' });
  if (executions.length === 1) return item;
  const { input: _single, ...group } = item;
  return { ...group, executions: JSON.stringify(executions.map((e) => ({ name: e.name, input: e.input }))) };
}

/**
 * Start requests in the records table (layout in `keys.ts`): written durably before anything starts them — a batch
 * row's with the row, in its transaction (`batchStartRequestItem`) — held by one drainer at a time (a lease, so a
 * drainer that dies leaves them to the next; see `Holder`), and deleted once Step Functions has the execution.
 */
export class DynamoStartQueue {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Writes a request held by its writer until `leaseUntil` (it starts it right away if the pace allows). */
  async put(execution: Execution, options: { requestedAt: string; leaseUntil: number }): Promise<QueuedStart> {
    const item = startRequestItem(execution, { ...options, heldBy: 'caller' });
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
    return queued(StoredStart.parse(item));
  }

  /**
   * Up to `limit` requests of one shard, oldest name first, from `after` (a key a previous call returned as `next`): of
   * any owner that nobody holds at `now`, or (`batchId`) the batch's own, held by nobody or by the batch. `held` when it
   * passed over requests it may not take now; `next` where to go on (none when the shard is read to its end).
   */
  async claimable(options: {
    shard: number;
    batchId?: string;
    limit: number;
    now: number;
    after?: Record<string, unknown>;
  }): Promise<{ requests: QueuedStart[]; held: boolean; next?: Record<string, unknown> }> {
    const requests: QueuedStart[] = [];
    let held = false;
    let start = options.after;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: options.batchId === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :owner)',
          FilterExpression: options.batchId === undefined ? 'leaseUntil < :now' : 'leaseUntil < :now OR heldBy = :batch',
          ExpressionAttributeValues: {
            ':pk': keys.startShard(options.shard),
            ':now': options.now,
            ...(options.batchId === undefined ? {} : { ':owner': ownerOf(options.batchId), ':batch': 'batch' }),
          },
          Limit: options.limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) requests.push(queued(StoredStart.parse(item)));
      held ||= (page.ScannedCount ?? 0) > (page.Count ?? 0);
      start = page.LastEvaluatedKey;
    } while (start && requests.length < options.limit);
    return { requests, held, ...(start ? { next: start } : {}) };
  }

  /** Claims each request nobody holds at `now` until `until`; returns those this caller won. */
  async claim(requests: QueuedStart[], now: number, until: number): Promise<QueuedStart[]> {
    // A few at a time: the SDK's sockets are shared with the rest of the function (a chunk's row writes, say).
    const won = await mapConcurrently(requests, CLAIM_CONCURRENCY, async (request) =>
      (await this.setLease(request, { now, until, holder: 'drainer', condition: 'leaseUntil < :now' })) ? request : undefined,
    );
    return won.filter((r): r is QueuedStart => r !== undefined);
  }

  /**
   * Gives a request back: free from `until` on (0: at once), one attempt more when it failed (throttled, say), with
   * what went wrong.
   */
  async release(request: QueuedStart, options: { until: number; failed?: string }): Promise<void> {
    await this.setLease(request, {
      until: options.until,
      ...(options.failed === undefined ? {} : { holder: 'backoff' as const, failed: options.failed }),
    });
  }

  /** Deletes started requests (BatchWriteItem, 25 a call; items it leaves unprocessed are sent again). */
  async remove(requests: QueuedStart[]): Promise<void> {
    for (let from = 0; from < requests.length; from += BATCH_WRITE_ITEMS) {
      let pending = requests.slice(from, from + BATCH_WRITE_ITEMS).map((r) => ({ DeleteRequest: { Key: r.key } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await sleep(Math.min(1_000, 20 * 2 ** attempt));
        const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
  }

  /** Whether any request (of one batch, or any) is left, held by someone or not. */
  async anyLeft(batchId?: string): Promise<boolean> {
    const shards = Array.from({ length: START_QUEUE_SHARDS }, (_, shard) => shard);
    const left = await mapConcurrently(shards, shards.length, async (shard) => {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: batchId === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :owner)',
          ExpressionAttributeValues: { ':pk': keys.startShard(shard), ...(batchId === undefined ? {} : { ':owner': ownerOf(batchId) }) },
          ProjectionExpression: 'pk',
          Limit: 1,
        }),
      );
      return (page.Items ?? []).length > 0;
    });
    return left.some(Boolean);
  }

  /** Sets who holds a request until when (nobody, without `holder`). */
  private async setLease(
    request: QueuedStart,
    change: { until: number; holder?: Holder; now?: number; condition?: string; failed?: string },
  ): Promise<boolean> {
    const set = [
      'leaseUntil = :until',
      ...(change.holder ? ['heldBy = :holder'] : []),
      ...(change.failed === undefined ? [] : ['attempts = attempts + :one', 'lastError = :failed']),
    ];
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: request.key,
          UpdateExpression: `SET ${set.join(', ')}${change.holder ? '' : ' REMOVE heldBy'}`,
          // A request deleted meanwhile (started by the one who held it before) must not come back as a stub.
          ConditionExpression: ['attribute_exists(pk)', ...(change.condition ? [change.condition] : [])].join(' AND '),
          ExpressionAttributeValues: {
            ':until': change.until,
            ...(change.holder ? { ':holder': change.holder } : {}),
            ...(change.now === undefined ? {} : { ':now': change.now }),
            ...(change.failed === undefined ? {} : { ':one': 1, ':failed': change.failed }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

/** A group's executions as stored in `executions`. */
const StoredGroup = z.array(z.object({ name: z.string(), input: z.record(z.string(), z.unknown()) }));

function queued(item: z.infer<typeof StoredStart>): QueuedStart {
  const executions =
    item.executions === undefined
      ? [{ machine: item.machine, name: item.name, input: JSON.parse(item.input ?? '{}') as Record<string, unknown> }]
      : StoredGroup.parse(JSON.parse(item.executions)).map((e) => ({ machine: item.machine, name: e.name, input: e.input }));
  return { key: { pk: item.pk, sk: item.sk }, executions, attempts: item.attempts };
}
