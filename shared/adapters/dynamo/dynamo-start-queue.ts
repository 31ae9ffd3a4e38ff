import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapConcurrently, sleep } from '../../concurrency.ts';
import type { Execution } from '../../ports/execution-starts.ts';
import * as z from '../../zod.ts';
import { isConditionFailure } from './client.ts';
import { keys, shardOf } from './keys.ts';

/**
 * Partitions the start requests are spread over (by a hash of the execution name): a batch writes a request with each
 * submitted row, a thousand a second at times, and one partition takes at most 1,000 writes a second. A drain queries
 * them in turn.
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

/** A start request as stored. `leaseUntil` (epoch ms): whoever claimed it starts it until then; 0 is unclaimed. */
const StoredStart = z.object({
  pk: z.string(),
  sk: z.string(),
  machine: z.enum(['review', 'delivery']),
  name: z.string(),
  input: z.string(),
  requestedAt: z.string(),
  leaseUntil: z.number(),
  attempts: z.number().check(z.int(), z.minimum(0)),
  batchId: z.optional(z.string()),
});

/** A request read from the queue: the execution, and what the queue needs to claim, release or remove it. */
export interface QueuedStart {
  key: { pk: string; sk: string };
  execution: Execution;
  attempts: number;
}

const BATCH_WRITE_ITEMS = 25;

/**
 * The item requesting `execution`: unclaimed (`leaseUntil` 0) unless its writer claims it to start it at once. A batch
 * row's request is written with the row, in the row's transaction.
 */
export function startRequestItem(execution: Execution, options: { requestedAt: string; batchId?: string; leaseUntil?: number }): Record<string, unknown> {
  return {
    ...startKeys.request(execution, options.batchId),
    entity: 'start_request',
    machine: execution.machine,
    name: execution.name,
    input: JSON.stringify(execution.input),
    requestedAt: options.requestedAt,
    leaseUntil: options.leaseUntil ?? 0,
    attempts: 0,
    ...(options.batchId ? { batchId: options.batchId } : {}),
  };
}

/**
 * Start requests in the records table (layout in `keys.ts`): written durably before anything starts them — a batch
 * row's with the row, in its transaction (`startRequestItem`) — claimed by one drainer at a time (a lease, so a drainer
 * that dies leaves them to the next), and deleted once Step Functions has the execution.
 */
export class DynamoStartQueue {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Writes a request claimed by its writer until `leaseUntil` (it starts it right away if the pace allows). */
  async put(execution: Execution, options: { requestedAt: string; leaseUntil: number }): Promise<QueuedStart> {
    const item = startRequestItem(execution, options);
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
    return queued(StoredStart.parse(item));
  }

  /**
   * Up to `limit` requests of one shard (of one batch, or any) that nobody holds at `now`, oldest name first; `held`
   * when it passed over requests it may not claim now (held by another drainer, or backing off).
   */
  async claimable(options: { shard: number; batchId?: string; limit: number; now: number }): Promise<{ requests: QueuedStart[]; held: boolean }> {
    const requests: QueuedStart[] = [];
    let held = false;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: options.batchId === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :owner)',
          FilterExpression: 'leaseUntil < :now',
          ExpressionAttributeValues: {
            ':pk': keys.startShard(options.shard),
            ':now': options.now,
            ...(options.batchId === undefined ? {} : { ':owner': ownerOf(options.batchId) }),
          },
          Limit: options.limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) requests.push(queued(StoredStart.parse(item)));
      held ||= (page.ScannedCount ?? 0) > (page.Count ?? 0);
      start = page.LastEvaluatedKey;
    } while (start && requests.length < options.limit);
    return { requests: requests.slice(0, options.limit), held: held || requests.length > options.limit };
  }

  /** Claims each request nobody holds at `now` until `until`; returns those this caller won. */
  async claim(requests: QueuedStart[], now: number, until: number): Promise<QueuedStart[]> {
    const won = await mapConcurrently(requests, requests.length, async (request) =>
      (await this.setLease(request, { now, until, condition: 'leaseUntil < :now' })) ? request : undefined,
    );
    return won.filter((r): r is QueuedStart => r !== undefined);
  }

  /**
   * Gives a request back: free from `until` on (0: at once), one attempt more when it failed (throttled, say), with
   * what went wrong.
   */
  async release(request: QueuedStart, options: { until: number; failed?: string }): Promise<void> {
    await this.setLease(request, { until: options.until, ...(options.failed === undefined ? {} : { failed: options.failed }) });
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

  private async setLease(request: QueuedStart, change: { until: number; now?: number; condition?: string; failed?: string }): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: request.key,
          UpdateExpression: `SET leaseUntil = :until${change.failed === undefined ? '' : ', attempts = attempts + :one, lastError = :failed'}`,
          // A request deleted meanwhile (started by the one who held it before) must not come back as a stub.
          ConditionExpression: ['attribute_exists(pk)', ...(change.condition ? [change.condition] : [])].join(' AND '),
          ExpressionAttributeValues: {
            ':until': change.until,
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

function queued(item: z.infer<typeof StoredStart>): QueuedStart {
  return {
    key: { pk: item.pk, sk: item.sk },
    execution: { machine: item.machine, name: item.name, input: JSON.parse(item.input) as Record<string, unknown> },
    attempts: item.attempts,
  };
}
