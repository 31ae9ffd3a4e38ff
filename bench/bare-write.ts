import { type AttributeValue, BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';

export interface BareWriteOptions {
  table: string;
  /** An item as the application repository writes it (read back raw); copies get fresh keys. */
  template: Record<string, AttributeValue>;
  items: number;
  /** Concurrent BatchWriteItem callers, each sending 25 items at a time. */
  writers: number;
  /** Distinguishes the keys of one repetition from another's. */
  run: string;
}

export interface BareWriteResult {
  ms: number;
  /** Items DynamoDB returned as unprocessed and that were sent again. */
  retried: number;
  itemBytes: number;
}

/** The copy of `template` numbered `i`: new primary and index sort keys, everything else as it was. */
function copyOf(template: Record<string, AttributeValue>, run: string, i: number): Record<string, AttributeValue> {
  const id = `app_bare_${run}_${String(i).padStart(7, '0')}`;
  const item: Record<string, AttributeValue> = { ...template, pk: { S: `APP#${id}` }, sk: { S: 'APP' }, id: { S: id } };
  for (const key of ['gsi1sk', 'gsi2sk']) if (template[key]) item[key] = { S: `${template[key].S ?? ''}#${id}` };
  return item;
}

/** Rough DynamoDB item size: names plus values as JSON (close enough to compare like with like). */
export function itemBytes(item: Record<string, AttributeValue>): number {
  return Buffer.byteLength(JSON.stringify(item));
}

/**
 * The baseline: `items` copies of an application item written with nothing but `BatchWriteItem` (25 per call, a few
 * callers at once, unprocessed items sent again with a short backoff) — no validation, no transactions, no guards.
 */
export async function bareWrite(client: DynamoDBClient, options: BareWriteOptions): Promise<BareWriteResult> {
  const batches = Math.ceil(options.items / 25);
  let next = 0;
  let retried = 0;
  const started = performance.now();

  async function writer(): Promise<void> {
    for (let b = next++; b < batches; b = next++) {
      let requests: WriteRequest[] = [];
      for (let i = b * 25; i < Math.min(options.items, (b + 1) * 25); i++) {
        requests.push({ PutRequest: { Item: copyOf(options.template, options.run, i) } });
      }
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        const answer = await client.send(new BatchWriteItemCommand({ RequestItems: { [options.table]: requests } }));
        requests = answer.UnprocessedItems?.[options.table] ?? [];
        retried += requests.length;
      }
    }
  }

  await Promise.all(Array.from({ length: options.writers }, writer));
  return { ms: performance.now() - started, retried, itemBytes: itemBytes(copyOf(options.template, options.run, 0)) };
}
