import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { sleep } from '../../concurrency.ts';
import { TransientError } from '../../domain/errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

/** A secondary index of the table; its keys are `<index>pk` and `<index>sk`. */
export type ListIndex = 'gsi1' | 'gsi2';

/** A newest-first list: its name (what a cursor is bound to) and the index partitions its items are spread over. */
export interface ListOf {
  index: ListIndex;
  name: string;
  partitions: readonly string[];
}

/** BatchGetItem takes at most 100 keys a call. */
const BATCH_GET_KEYS = 100;
const BATCH_GET_ATTEMPTS = 8;

/**
 * One page of a list, newest first, and the cursor of the next one.
 *
 * 1. The cursor, if any, is checked (`decodeCursor`, a 400 when it is not one of this list's) before anything is read.
 * 2. Every partition of the list is queried at once, newest first, below the cursor's position, `limit + 1` keys each.
 * 3. The keys are merged (`mergeNewestFirst`): the page is the `limit` newest of them; a key left over means there is a
 *    next page, so a cursor is given exactly when one more item exists.
 * 4. The items are read from the table (`BatchGetItem`, eventually consistent like the index itself), in page order.
 *    The indexes project keys only: a status change then writes no index at all, and reading a page's items from the
 *    table costs less than rewriting the index on every change (`records-table.ts`).
 */
export async function readNewestFirst(
  client: DynamoDBDocumentClient,
  tableName: string,
  list: ListOf,
  options: { limit: number; cursor?: string },
): Promise<{ items: Record<string, unknown>[]; nextCursor?: string }> {
  const before = options.cursor === undefined ? undefined : decodeCursor(options.cursor, list.name);
  const sortKey = `${list.index}sk`;
  const partitions = await Promise.all(
    list.partitions.map((partition) => queryPartition(client, tableName, list.index, partition, { before, limit: options.limit + 1 })),
  );
  const page = mergeNewestFirst(partitions, sortKey, options.limit);
  const items = await getItems(client, tableName, page.items.map((key) => ({ pk: key.pk, sk: key.sk })), { consistent: false });
  const last = page.items.at(-1);
  return { items, ...(page.more && last ? { nextCursor: encodeCursor(list.name, String(last[sortKey])) } : {}) };
}

/**
 * The `limit` newest of several partitions' keys (each read newest first), and whether any is left over. An item seen
 * in two partitions (moving from the legacy partition to its shard while the index catches up) counts once.
 */
export function mergeNewestFirst<T extends Record<string, unknown>>(
  partitions: readonly (readonly T[])[],
  sortKey: string,
  limit: number,
): { items: T[]; more: boolean } {
  const unique = new Map<string, T>();
  for (const item of partitions.flat()) unique.set(String(item[sortKey]), item);
  const sorted = [...unique.entries()].sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0)).map(([, item]) => item);
  return { items: sorted.slice(0, limit), more: sorted.length > limit };
}

/** Up to `limit` keys of one index partition, newest first, below `before` (a sort key) when given. */
async function queryPartition(
  client: DynamoDBDocumentClient,
  tableName: string,
  index: ListIndex,
  partition: string,
  options: { before: string | undefined; limit: number },
): Promise<Record<string, unknown>[]> {
  const keys: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  // A page of keys is far below Query's 1 MB; the loop is for a table whose index still projects whole items.
  do {
    const out = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: index,
        KeyConditionExpression: options.before === undefined ? '#pk = :pk' : '#pk = :pk AND #sk < :before',
        ExpressionAttributeNames: { '#pk': `${index}pk`, '#sk': `${index}sk`, '#tpk': 'pk', '#tsk': 'sk' },
        ExpressionAttributeValues: { ':pk': partition, ...(options.before === undefined ? {} : { ':before': options.before }) },
        ProjectionExpression: '#tpk, #tsk, #sk',
        ScanIndexForward: false,
        Limit: options.limit - keys.length,
        ExclusiveStartKey: start,
      }),
    );
    keys.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start && keys.length < options.limit);
  return keys;
}

/**
 * The items with these table keys, in the keys' order; a key whose item is gone (expired, say) is left out. Unprocessed
 * keys (throttling) are asked again with a growing pause; still unprocessed after `BATCH_GET_ATTEMPTS`: TransientError.
 */
export async function getItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly { pk: unknown; sk: unknown }[],
  options: { consistent: boolean },
): Promise<Record<string, unknown>[]> {
  const id = (item: { pk: unknown; sk: unknown }) => `${String(item.pk)}\n${String(item.sk)}`;
  const found = new Map<string, Record<string, unknown>>();
  const unique = [...new Map(keys.map((key) => [id(key), { pk: key.pk, sk: key.sk }])).values()];
  for (let from = 0; from < unique.length; from += BATCH_GET_KEYS) {
    let pending: Record<string, unknown>[] = unique.slice(from, from + BATCH_GET_KEYS);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= BATCH_GET_ATTEMPTS) throw new TransientError('DynamoDB is busy; retry.');
      if (attempt > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
      const out = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistent } } }),
      );
      for (const item of out.Responses?.[tableName] ?? []) found.set(id(item as { pk: unknown; sk: unknown }), item);
      pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return keys.flatMap((key) => {
    const item = found.get(id(key));
    return item ? [item] : [];
  });
}
