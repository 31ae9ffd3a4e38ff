/**
 * Item writes per partition key, of a table and of each of its global secondary indexes, counted from the requests the
 * metering proxy (`dynamodb-meter.ts`) sees succeed: the figure that tells a hot partition (DynamoDB serves at most
 * 1,000 write units a second to one partition key, of the table or of an index).
 *
 * A write to the table is a write to its item's partition. Whether it writes an index follows DynamoDB's rules, from
 * the item's index keys before and after the write (the keys of every item written are remembered):
 * - the item enters the index (a key is set), or its index key changes (a delete in the old place and a put in the
 *   new): a write in each partition concerned;
 * - the item leaves the index (deleted, or its key removed): a write in its old partition;
 * - any other write of an item in the index: a write when the index projects more than the keys (`ALL`, and `INCLUDE`,
 *   counted as if a projected attribute changed: an upper bound), none for `KEYS_ONLY`.
 * An `UpdateItem` is taken to leave index keys as they were (the application's updates never set them). An item
 * written before counting started is taken to be new to its indexes when put, and outside them when updated.
 */

type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

/** The key attributes of a table and its global secondary indexes (from the synthesized template). */
export interface TableLayout {
  tableName: string;
  partitionKey: string;
  sortKey?: string;
  indexes: { name: string; partitionKey: string; sortKey?: string; projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE' }[];
}

/** Writes of one partition key. */
export interface PartitionCount {
  writes: number;
  /** The most writes in one second of the local clock (the local engine's pace, not AWS's). */
  peakPerSecond: number;
}

/** By target (`table`, or an index's name), then partition key value. */
export type PartitionWriteCounts = Record<string, Record<string, PartitionCount>>;

interface Write {
  /** `Put`, `Update` or `Delete`. */
  kind: 'Put' | 'Update' | 'Delete';
  key: Item;
  /** The whole new item, for a put. */
  item?: Item;
}

export class PartitionWrites {
  private readonly counts: PartitionWriteCounts = {};
  private readonly seconds = new Map<string, { second: number; writes: number }>();
  /** Item (table key) → its place (`partition\0sort`) in each index it is in. */
  private readonly places = new Map<string, Record<string, string>>();

  constructor(
    private readonly layout: TableLayout,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts the writes of a request that succeeded (`response`: its answer, for a batch's unprocessed items). */
  record(operation: string, request: Record<string, unknown>, response: Record<string, unknown> = {}): void {
    for (const write of this.writesOf(operation, request, response)) this.count(write);
  }

  /** A copy of the counts so far. */
  snapshot(): PartitionWriteCounts {
    return structuredClone(this.counts);
  }

  private count(write: Write): void {
    const { layout } = this;
    const id = placeKey(write.key, layout.partitionKey, layout.sortKey);
    this.add('table', stringOf(write.key[layout.partitionKey]));
    const before = this.places.get(id) ?? {};
    const after: Record<string, string> = {};
    for (const index of layout.indexes) {
      const old = before[index.name];
      const next =
        write.kind === 'Put' ? (write.item ? placeOf(write.item, index.partitionKey, index.sortKey) : undefined) : write.kind === 'Update' ? old : undefined;
      if (next !== undefined) after[index.name] = next;
      if (old !== undefined && old !== next) this.add(index.name, partitionOf(old));
      if (next !== undefined && (next !== old || index.projection !== 'KEYS_ONLY')) this.add(index.name, partitionOf(next));
    }
    if (Object.keys(after).length > 0) this.places.set(id, after);
    else this.places.delete(id);
  }

  private add(target: string, partition: string): void {
    const byPartition = (this.counts[target] ??= {});
    const count = (byPartition[partition] ??= { writes: 0, peakPerSecond: 0 });
    count.writes += 1;
    const second = Math.floor(this.now() / 1000);
    const bucket = `${target}\0${partition}`;
    const current = this.seconds.get(bucket);
    const inSecond = current?.second === second ? current.writes + 1 : 1;
    this.seconds.set(bucket, { second, writes: inSecond });
    count.peakPerSecond = Math.max(count.peakPerSecond, inSecond);
  }

  private writesOf(operation: string, request: Record<string, unknown>, response: Record<string, unknown>): Write[] {
    const table = this.layout.tableName;
    const ours = (name: unknown) => name === table;
    switch (operation) {
      case 'PutItem':
        return ours(request.TableName) ? [{ kind: 'Put', key: request.Item as Item, item: request.Item as Item }] : [];
      case 'UpdateItem':
        return ours(request.TableName) ? [{ kind: 'Update', key: request.Key as Item }] : [];
      case 'DeleteItem':
        return ours(request.TableName) ? [{ kind: 'Delete', key: request.Key as Item }] : [];
      case 'TransactWriteItems':
        return ((request.TransactItems ?? []) as Record<string, { TableName?: string; Item?: Item; Key?: Item }>[]).flatMap((t): Write[] => {
          if (t.Put && ours(t.Put.TableName)) return [{ kind: 'Put', key: t.Put.Item as Item, item: t.Put.Item as Item }];
          if (t.Update && ours(t.Update.TableName)) return [{ kind: 'Update', key: t.Update.Key as Item }];
          if (t.Delete && ours(t.Delete.TableName)) return [{ kind: 'Delete', key: t.Delete.Key as Item }];
          return [];
        });
      case 'BatchWriteItem': {
        type Requests = { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[];
        const sent = ((request.RequestItems ?? {}) as Record<string, Requests>)[table] ?? [];
        const unprocessed = new Set(
          (((response.UnprocessedItems ?? {}) as Record<string, Requests>)[table] ?? []).map((r) => JSON.stringify(r)),
        );
        return sent
          .filter((r) => !unprocessed.has(JSON.stringify(r)))
          .map((r): Write => (r.PutRequest ? { kind: 'Put', key: r.PutRequest.Item, item: r.PutRequest.Item } : { kind: 'Delete', key: r.DeleteRequest?.Key ?? {} }));
      }
      default:
        return [];
    }
  }
}

function stringOf(value: AttributeValue | undefined): string {
  const [type, v] = Object.entries(value ?? {})[0] ?? ['NULL', ''];
  return type === 'B' ? `(binary ${String(v).length})` : String(v);
}

function placeOf(item: Item, partitionKey: string, sortKey?: string): string | undefined {
  if (item[partitionKey] === undefined || (sortKey !== undefined && item[sortKey] === undefined)) return undefined;
  return placeKey(item, partitionKey, sortKey);
}

function placeKey(item: Item, partitionKey: string, sortKey?: string): string {
  return `${stringOf(item[partitionKey])}\0${sortKey === undefined ? '' : stringOf(item[sortKey])}`;
}

function partitionOf(place: string): string {
  return place.slice(0, place.indexOf('\0'));
}
