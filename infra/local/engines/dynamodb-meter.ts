import { Agent, createServer, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { type PartitionWriteCounts, PartitionWrites, type TableLayout } from './partition-writes.ts';

/**
 * A metering proxy in front of DynamoDB Local: every request passes through unchanged but for one field, and what it
 * consumed is recorded by caller (the access key it was signed with) and operation.
 *
 * DynamoDB Local computes consumed capacity as DynamoDB does (item sizes rounded up per 1 KB written and 4 KB read,
 * half a unit for an eventually consistent read, twice the units in a transaction, one write more per global secondary
 * index an item enters, leaves or changes in), but answers it only when asked (`ReturnConsumedCapacity`), which the
 * application's code does not do. The proxy asks for it (`INDEXES`) on every request that can return it, records the
 * answer, and takes it out of the response again (with the response's `x-amz-crc32`, which the SDK checks) when the
 * caller had not asked, so the code sees exactly what it would without the proxy.
 *
 * A write refused by its condition (`ConditionalCheckFailedException`) or a cancelled transaction returns no consumed
 * capacity, though DynamoDB bills it: they are counted apart, for the caller to price.
 */

/** What one caller's requests of one operation consumed. */
export interface DynamoDbOperationUsage {
  requests: number;
  /** Read request units (on-demand; numerically the read capacity units), table and indexes. */
  readUnits: number;
  /** Write request units, table and indexes. */
  writeUnits: number;
  /** The part of those units each global secondary index consumed, by index name. */
  indexUnits: Record<string, number>;
  /** Single-item writes refused by their condition (billed, but DynamoDB Local reports no units for them). */
  refusedWrites: number;
  /** Transactions cancelled (a condition failed, a conflict), and the items they held (likewise billed, not reported). */
  cancelledTransactions: number;
  cancelledTransactionItems: number;
}

/** Sizes of the items put (PutItem, and the Put of a transaction or a batch), by their `entity` attribute. */
export interface ItemSizes {
  count: number;
  totalBytes: number;
  maxBytes: number;
}

export interface DynamoDbUsage {
  /** By access key id, then operation (`PutItem`, `TransactWriteItems`…). */
  byCaller: Record<string, Record<string, DynamoDbOperationUsage>>;
  /** By the item's `entity` attribute (`(none)` without one). */
  itemSizes: Record<string, ItemSizes>;
}

export interface DynamoDbMeter {
  /** `http://127.0.0.1:<port>`: give it to the clients instead of DynamoDB Local's endpoint. */
  endpoint: string;
  /** A copy of what was recorded since the start. */
  usage(): DynamoDbUsage;
  /** Item writes per partition key of the table and of each index (`partitions` given), since the start. */
  partitionWrites(): PartitionWriteCounts | undefined;
  stop(): Promise<void>;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

interface ConsumedCapacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
  LocalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

/**
 * Starts the proxy in front of `target` (DynamoDB Local's endpoint). With `partitions` (the table's layout), it also
 * counts item writes per partition key (`partition-writes.ts`): `npm run bench:partitions`.
 */
export async function startDynamoDbMeter(options: { target: string; port?: number; partitions?: TableLayout }): Promise<DynamoDbMeter> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true });
  const byCaller: DynamoDbUsage['byCaller'] = {};
  const itemSizes: DynamoDbUsage['itemSizes'] = {};
  const partitions = options.partitions ? new PartitionWrites(options.partitions) : undefined;

  const entry = (caller: string, operation: string): DynamoDbOperationUsage => {
    const ops = (byCaller[caller] ??= {});
    return (ops[operation] ??= { requests: 0, readUnits: 0, writeUnits: 0, indexUnits: {}, refusedWrites: 0, cancelledTransactions: 0, cancelledTransactionItems: 0 });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const caller = accessKeyOf(req.headers) ?? '(unsigned)';
      let body = Buffer.concat(chunks);
      let injected = false;
      let parsed: Record<string, unknown> | undefined;
      if (READS.has(operation) || WRITES.has(operation)) {
        try {
          parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        } catch {
          parsed = undefined;
        }
        if (parsed && (parsed.ReturnConsumedCapacity === undefined || parsed.ReturnConsumedCapacity === 'NONE')) {
          parsed.ReturnConsumedCapacity = 'INDEXES';
          injected = true;
          body = Buffer.from(JSON.stringify(parsed));
        }
        if (parsed) recordItemSizes(itemSizes, operation, parsed);
      }
      const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: target.host, 'content-length': String(body.length) };
      // An answer we may rewrite must come back as plain JSON.
      delete headers['accept-encoding'];
      const upstream = httpRequest(
        { agent, host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            let out = Buffer.concat(parts);
            const outHeaders: IncomingHttpHeaders = { ...answer.headers };
            if (READS.has(operation) || WRITES.has(operation)) {
              const usage = entry(caller, operation);
              usage.requests += 1;
              try {
                const json = JSON.parse(out.toString('utf8')) as Record<string, unknown>;
                if ((answer.statusCode ?? 500) < 300) {
                  record(usage, operation, json.ConsumedCapacity as ConsumedCapacity | ConsumedCapacity[] | undefined);
                  if (parsed) partitions?.record(operation, parsed, json);
                  if (injected && 'ConsumedCapacity' in json) {
                    delete json.ConsumedCapacity;
                    out = Buffer.from(JSON.stringify(json));
                    outHeaders['content-length'] = String(out.length);
                    if (outHeaders['x-amz-crc32'] !== undefined) outHeaders['x-amz-crc32'] = String(crc32(out));
                  }
                } else {
                  const type = String(json.__type ?? '');
                  if (type.endsWith('ConditionalCheckFailedException')) usage.refusedWrites += 1;
                  if (type.endsWith('TransactionCanceledException')) {
                    usage.cancelledTransactions += 1;
                    usage.cancelledTransactionItems += Array.isArray(parsed?.TransactItems) ? parsed.TransactItems.length : 0;
                  }
                }
              } catch {
                // Not JSON (an engine failure): forwarded as it came.
              }
            }
            res.writeHead(answer.statusCode ?? 500, outHeaders);
            res.end(out);
          });
        },
      );
      upstream.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`DynamoDB meter: ${error.message}`);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    usage: () => structuredClone({ byCaller, itemSizes }),
    partitionWrites: () => partitions?.snapshot(),
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

function accessKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  return typeof authorization === 'string' ? /Credential=([^/,\s]+)\//.exec(authorization)?.[1] : undefined;
}

function record(usage: DynamoDbOperationUsage, operation: string, consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): void {
  for (const c of consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed]) {
    const total = c.CapacityUnits ?? 0;
    // DynamoDB answers the read and write parts apart for some operations; DynamoDB Local answers the total.
    const reads = c.ReadCapacityUnits ?? (READS.has(operation) ? total : 0);
    const writes = c.WriteCapacityUnits ?? (WRITES.has(operation) ? total : 0);
    usage.readUnits += reads;
    usage.writeUnits += writes;
    for (const [name, index] of Object.entries({ ...c.GlobalSecondaryIndexes, ...c.LocalSecondaryIndexes })) {
      usage.indexUnits[name] = (usage.indexUnits[name] ?? 0) + (index.CapacityUnits ?? 0);
    }
  }
}

type AttributeValue = Record<string, unknown>;

function recordItemSizes(sizes: DynamoDbUsage['itemSizes'], operation: string, body: Record<string, unknown>): void {
  const items: Record<string, AttributeValue>[] = [];
  if (operation === 'PutItem' && body.Item) items.push(body.Item as Record<string, AttributeValue>);
  if (operation === 'TransactWriteItems') {
    for (const t of (body.TransactItems ?? []) as { Put?: { Item: Record<string, AttributeValue> } }[]) {
      if (t.Put) items.push(t.Put.Item);
    }
  }
  if (operation === 'BatchWriteItem') {
    for (const requests of Object.values((body.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: Record<string, AttributeValue> } }[]>)) {
      for (const r of requests) if (r.PutRequest) items.push(r.PutRequest.Item);
    }
  }
  for (const item of items) {
    const entity = typeof item.entity?.S === 'string' ? item.entity.S : '(none)';
    const bytes = itemSize(item);
    const s = (sizes[entity] ??= { count: 0, totalBytes: 0, maxBytes: 0 });
    s.count += 1;
    s.totalBytes += bytes;
    s.maxBytes = Math.max(s.maxBytes, bytes);
  }
}

/**
 * An item's size as DynamoDB counts it: each attribute's name (UTF-8) plus its value; a number takes about one byte
 * per two significant digits plus one; a list or map 3 bytes plus one per element, plus its elements (and a map's
 * keys); a boolean or null one byte.
 */
export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value), 0);
}

function valueSize(value: AttributeValue): number {
  const [type, v] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return Buffer.byteLength(String(v));
    case 'N':
      return numberSize(String(v));
    case 'B':
      return typeof v === 'string' ? Buffer.from(v, 'base64').length : (v as Uint8Array).length;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (v as string[]).reduce((s, x) => s + Buffer.byteLength(x), 0);
    case 'NS':
      return (v as string[]).reduce((s, x) => s + numberSize(x), 0);
    case 'BS':
      return (v as string[]).reduce((s, x) => s + Buffer.from(x, 'base64').length, 0);
    case 'L':
      return 3 + (v as AttributeValue[]).reduce((s, x) => s + 1 + valueSize(x), 0);
    case 'M':
      return 3 + Object.entries(v as Record<string, AttributeValue>).reduce((s, [k, x]) => s + 1 + Buffer.byteLength(k) + valueSize(x), 0);
    default:
      return 0;
  }
}

function numberSize(text: string): number {
  const digits = text.replace(/^-/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}
