import { ApplicationStatus } from '../../domain/application.ts';
import type { BatchCounts } from '../../domain/batch.ts';
import { keys, shardOf } from './keys.ts';

/**
 * Per-batch counters of applications per status, kept in the same transaction as every change they count (a creation
 * by ingestion, a status change), so they are exact under any concurrency.
 *
 * They are spread over `BATCH_COUNTER_SHARDS` items: thousands of applications of one batch changing status at once
 * would otherwise all update one item and cancel each other's transactions (TransactionConflict). A status change
 * updates its application's shard; ingestion spreads its transactions over the shards; a reader sums them (one Query).
 * A shard may hold a negative count for a status (an application counted in one shard and moved on in another): only
 * the sums mean something.
 */
export const BATCH_COUNTER_SHARDS = 8;

const attribute = (status: ApplicationStatus) => `n_${status}`;

/** The shard an application's status changes are counted in (a stable hash of its id). */
export function counterShardOf(applicationId: string): number {
  return shardOf(applicationId, BATCH_COUNTER_SHARDS);
}

/** A TransactWriteItems `Update` adding `delta` per status to one shard of a batch's counters. */
export function counterUpdate(tableName: string, batchId: string, shard: number, delta: BatchCounts): Record<string, unknown> | undefined {
  const entries = Object.entries(delta).filter(([, n]) => n !== undefined && n !== 0) as [ApplicationStatus, number][];
  if (entries.length === 0) return undefined;
  return {
    Update: {
      TableName: tableName,
      Key: keys.batchCounter(batchId, shard),
      UpdateExpression: `SET entity = :entity ADD ${entries.map((_, i) => `#s${i} :n${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(entries.map(([status], i) => [`#s${i}`, attribute(status)])),
      ExpressionAttributeValues: {
        ':entity': 'batch_counter',
        ...Object.fromEntries(entries.map(([, n], i) => [`:n${i}`, n])),
      },
    },
  };
}

/** The `Update` a status change of a batch's application adds to its transaction: one less `from`, one more `to`. */
export function statusChangeCounterUpdate(
  tableName: string,
  batchId: string,
  applicationId: string,
  from: ApplicationStatus,
  to: ApplicationStatus,
): Record<string, unknown> | undefined {
  if (from === to) return undefined;
  return counterUpdate(tableName, batchId, counterShardOf(applicationId), { [from]: -1, [to]: 1 });
}

/** Sums counter items (as read from the table) into counts per status. */
export function sumCounters(items: readonly Record<string, unknown>[]): BatchCounts {
  const counts: BatchCounts = {};
  for (const item of items) {
    for (const status of ApplicationStatus.options) {
      const n = item[attribute(status)];
      if (typeof n === 'number') counts[status] = (counts[status] ?? 0) + n;
    }
  }
  return counts;
}
