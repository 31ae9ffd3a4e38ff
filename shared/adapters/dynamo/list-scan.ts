import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { getItems, type ListOf } from './list-index.ts';

/** Which end of a list comes first: the newest (the default of every list) or the oldest (a queue). */
export type ListOrder = 'newest' | 'oldest';

/** What a filtered read does with an item read from the table. */
export type Verdict = 'keep' | 'skip' | 'foreign';

export interface ListFilter {
  /**
   * The filters, spelled canonically (same filters, same string): a cursor is bound to them, so one replayed with other
   * filters or another order is a 400 instead of a page of a different list.
   */
  binding: string;
  /** `foreign` (another tenant's item) ends the read with nothing and no cursor: a next page would tell how many. */
  admit: (item: Record<string, unknown>) => Verdict;
}

/** BatchGetItem's most keys a call: the chunk a filtered read examines at a time. */
const CHUNK = 100;

/**
 * One page of a list in `order`, keeping only what `filter` admits, examining at most `budget` index entries (and
 * reading at most as many items) in this call.
 *
 * 1. The cursor, if any, must be one made for this list with these filters and this order (`decodeCursor`, a 400).
 * 2. The list's partitions are merged in order (`MergedKeys`), a chunk of keys at a time; each chunk's items are read
 *    from the table (`getItems`, eventually consistent like the index) and judged by `filter`.
 * 3. The read stops when the page has `limit` items, the list ends or `budget` entries were examined. The cursor holds
 *    the sort key of the last entry examined, so the next call goes on from there: a page may hold fewer than `limit`
 *    items (none, even) and still have a `nextCursor`, and the last page may be empty. Without a cursor, the list is
 *    known to end there.
 *
 * The index projects keys only (`records-table.ts`), so a filter on an item's attributes can only be applied to the
 * items read; the budget bounds what one call costs whatever the filters match.
 */
export async function readFiltered(
  client: DynamoDBDocumentClient,
  tableName: string,
  list: ListOf,
  options: { limit: number; cursor?: string; order: ListOrder; filter: ListFilter; budget: number },
): Promise<{ items: Record<string, unknown>[]; nextCursor?: string }> {
  const name = boundListName(list.name, options.order, options.filter.binding);
  const from = options.cursor === undefined ? undefined : decodeCursor(options.cursor, name);
  const keys = new MergedKeys(client, tableName, list, options.order, from);
  const budget = Math.max(options.budget, options.limit);
  const sortKey = `${list.index}sk`;
  const items: Record<string, unknown>[] = [];
  let position: string | undefined;
  let examined = 0;
  let stoppedInside = false;
  while (items.length < options.limit && examined < budget) {
    const chunk = await keys.take(Math.min(CHUNK, budget - examined));
    if (chunk.length === 0) break;
    examined += chunk.length;
    const found = await getItems(client, tableName, chunk.map((k) => ({ pk: k.pk, sk: k.sk })), { consistent: false });
    const byKey = new Map(found.map((item) => [`${String(item.pk)}\n${String(item.sk)}`, item]));
    for (const [n, key] of chunk.entries()) {
      position = String(key[sortKey]);
      const item = byKey.get(`${String(key.pk)}\n${String(key.sk)}`);
      // Gone since the index listed it (expired, say): nothing to show.
      if (!item) continue;
      const verdict = options.filter.admit(item);
      if (verdict === 'foreign') return { items: [] };
      if (verdict === 'skip') continue;
      items.push(item);
      if (items.length === options.limit) {
        stoppedInside = n < chunk.length - 1;
        break;
      }
    }
  }
  const more = position !== undefined && (stoppedInside || !keys.exhausted);
  return { items, ...(more && position !== undefined ? { nextCursor: encodeCursor(name, position) } : {}) };
}

/**
 * The name a cursor of this read is bound to: the list's own name for the plain newest-first list (so its cursors are
 * those of `readNewestFirst`), else the list's name with a digest of the order and filters (the filters may hold a
 * customer's reference: a digest keeps it out of the cursor and the cursor short).
 */
export function boundListName(list: string, order: ListOrder, binding: string): string {
  if (order === 'newest' && binding === '') return list;
  const digest = createHash('sha256').update(`${order}\n${binding}`).digest('base64url').slice(0, 22);
  return `${list}?${digest}`;
}

interface Head {
  partition: string;
  keys: Record<string, unknown>[];
  start: Record<string, unknown> | undefined;
  done: boolean;
}

/**
 * The keys of every partition of a list, merged in order (a k-way merge): each partition is queried in order from the
 * position, a few keys at a time, and the next key is the newest (or oldest) of the partitions' heads. A key is given
 * only while every partition not yet ended has one buffered, so the merge is exact. An item seen in two partitions
 * (moving from the legacy partition to its shard while the index catches up) comes once.
 */
class MergedKeys {
  private readonly heads: Head[];
  private last: string | undefined;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly list: ListOf,
    private readonly order: ListOrder,
    private readonly from: string | undefined,
  ) {
    this.heads = list.partitions.map((partition) => ({ partition, keys: [], start: undefined, done: false }));
  }

  /** Whether every partition has ended and every key read was given. */
  get exhausted(): boolean {
    return this.heads.every((h) => h.done && h.keys.length === 0);
  }

  /** Up to `n` more keys in order; fewer only when the list ends. */
  async take(n: number): Promise<Record<string, unknown>[]> {
    const sortKey = `${this.list.index}sk`;
    const out: Record<string, unknown>[] = [];
    while (out.length < n && !this.exhausted) {
      const empty = this.heads.filter((h) => h.keys.length === 0 && !h.done);
      // Each partition holds about its share of the next keys (the shards by a hash): twice that, to refill seldom.
      const each = Math.min(n - out.length, Math.ceil((2 * (n - out.length)) / this.heads.length) + 1);
      await Promise.all(empty.map((h) => this.fill(h, each)));
      while (out.length < n && this.heads.every((h) => h.done || h.keys.length > 0)) {
        const best = this.next(sortKey);
        if (!best) break;
        const key = best.keys.shift() as Record<string, unknown>;
        const at = String(key[sortKey]);
        if (at !== this.last) out.push(key);
        this.last = at;
      }
    }
    return out;
  }

  private next(sortKey: string): Head | undefined {
    let best: Head | undefined;
    for (const h of this.heads) {
      const head = h.keys[0];
      if (!head) continue;
      const at = String(head[sortKey]);
      const bestAt = best ? String(best.keys[0]?.[sortKey]) : undefined;
      if (bestAt === undefined || (this.order === 'newest' ? at > bestAt : at < bestAt)) best = h;
    }
    return best;
  }

  private async fill(head: Head, limit: number): Promise<void> {
    const { index } = this.list;
    const beyond = this.order === 'newest' ? '<' : '>';
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: this.from === undefined ? '#pk = :pk' : `#pk = :pk AND #sk ${beyond} :from`,
        ExpressionAttributeNames: { '#pk': `${index}pk`, '#sk': `${index}sk`, '#tpk': 'pk', '#tsk': 'sk' },
        ExpressionAttributeValues: { ':pk': head.partition, ...(this.from === undefined ? {} : { ':from': this.from }) },
        ProjectionExpression: '#tpk, #tsk, #sk',
        ScanIndexForward: this.order === 'oldest',
        Limit: limit,
        ExclusiveStartKey: head.start,
      }),
    );
    head.keys.push(...(out.Items ?? []));
    head.start = out.LastEvaluatedKey;
    head.done = out.LastEvaluatedKey === undefined;
  }
}
