/**
 * `npm run bench:engine`: what DynamoDB Local itself spends to write an item, by write API — the question behind the
 * ingestion's ratio to the bare write (`npm run bench`). A DynamoDB Local of its own (no runtime; readers of the
 * stream only with `BENCH_ENGINE_READERS`), the records table from the synthesized template, and rounds of `BENCH_ENGINE_ITEMS` items written 25 at a time by 4
 * callers, each round as:
 *
 *   batch        BatchWriteItem (what the bare write does)
 *   tx           TransactWriteItems, each Put with `attribute_not_exists(pk)` (what the ingestion does)
 *   tx, no cond  TransactWriteItems without a condition
 *
 * of an application-sized item (~1.2 KB, in both list indexes) and of an event-sized one (~0.4 KB, in none). It prints,
 * per round, the wall time and the JVM's CPU per item (and its table thread's: DynamoDB Local runs every table
 * operation on one thread). The first round warms the JVM up; compare the later ones. Prints figures; not a test.
 *
 *   BENCH_ENGINE_ITEMS=3000   items a round
 *   BENCH_ENGINE_ROUNDS=3     rounds of every kind
 *   BENCH_ENGINE_READERS=0    readers of the table's stream meanwhile, from its oldest record, 100 a call and every
 *                             250 ms when there is none (as the local runtime's two stream pollers read it)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AttributeValue, BatchWriteItemCommand, DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { createTableFromTemplate, startDynamoDbLocal } from '../infra/local/engines/dynamodb-local.ts';
import { REPO_ROOT } from '../infra/local/runtime.ts';
import { synthesizeTemplates } from '../infra/local/synthesize.ts';
import { readWiring } from '../infra/local/template-wiring.ts';
import { CpuMeter } from './cpu.ts';
import { findDynamoDbLocalPid } from './memory.ts';
import { nonNegativeInteger, positiveInteger } from './settings.ts';
import { formatTable } from './table.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const ITEMS = positiveInteger('BENCH_ENGINE_ITEMS', 3_000);
const ROUNDS = positiveInteger('BENCH_ENGINE_ROUNDS', 3);
const READERS = nonNegativeInteger('BENCH_ENGINE_READERS', 0);
const TABLE = 'engine-writes';
const CALLERS = 4;
const PER_CALL = 25;

type Kind = 'batch' | 'tx' | 'tx, no cond';
type Shape = 'application' | 'event';

/** An item shaped like the table's: an application in both list indexes, or an event in none. */
function itemOf(shape: Shape, id: string): Record<string, AttributeValue> {
  if (shape === 'event') return { pk: { S: `EVENT#${id}` }, sk: { S: 'EVENT' }, entity: { S: 'event' }, body: { S: 'e'.repeat(300) } };
  return {
    pk: { S: `APP#${id}` },
    sk: { S: 'APP' },
    entity: { S: 'application' },
    gsi1pk: { S: 'TENANT#tnt_bench#APPS#3' },
    gsi1sk: { S: `2026-12-02T00:00:00.000Z#${id}` },
    gsi2pk: { S: 'BATCH#bat_bench#APPS#1' },
    gsi2sk: { S: `000001#${id}` },
    body: { S: 'a'.repeat(1000) },
  };
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const dataDir = mkdtempSync(join(tmpdir(), 'icp-engine-'));
const engine = await startDynamoDbLocal({ dataDir });
try {
  const client = new DynamoDBClient({ endpoint: engine.endpoint, region: 'local', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const templates = await synthesizeTemplates(REPO_ROOT, join(REPO_ROOT, 'node_modules', '.cache', 'icp-cancel'));
  await createTableFromTemplate(client, TABLE, readWiring(templates.data, templates.service).tableProperties);
  const jvm = findDynamoDbLocalPid(dataDir);
  const streams = new DynamoDBStreamsClient({ endpoint: engine.endpoint, region: 'local', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  let reading = true;
  /** One reader of the table's stream, until the rounds end. */
  const reader = async () => {
    const arn = (await streams.send(new ListStreamsCommand({ TableName: TABLE }))).Streams?.[0]?.StreamArn;
    const shard = arn ? (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription?.Shards?.[0]?.ShardId : undefined;
    if (!arn || !shard) throw new Error(`The table ${TABLE} has no stream to read`);
    let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (reading && iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
      iterator = page.NextShardIterator;
      if ((page.Records ?? []).length === 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const readers = Array.from({ length: READERS }, reader);

  const write = async (kind: Kind, items: Record<string, AttributeValue>[]) => {
    if (kind === 'batch') {
      let requests = items.map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const answer = await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: requests } }));
        requests = (answer.UnprocessedItems?.[TABLE] ?? []) as typeof requests;
      }
      return;
    }
    const condition = kind === 'tx' ? { ConditionExpression: 'attribute_not_exists(pk)' } : {};
    await client.send(new TransactWriteItemsCommand({ TransactItems: items.map((Item) => ({ Put: { TableName: TABLE, Item, ...condition } })) }));
  };

  const rows: [string, string][] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const shape of ['application', 'event'] as const) {
      for (const kind of ['batch', 'tx', 'tx, no cond'] as const) {
        const calls = Math.ceil(ITEMS / PER_CALL);
        let next = 0;
        const caller = async () => {
          for (let call = next++; call < calls; call = next++) {
            const ids = Array.from({ length: Math.min(PER_CALL, ITEMS - call * PER_CALL) }, (_, i) => `r${round}-${kind}-${call * PER_CALL + i}`);
            await write(kind, ids.map((id) => itemOf(shape, id.replace(/[^a-z0-9-]/g, ''))));
          }
        };
        const cpu = new CpuMeter(jvm).start();
        const started = performance.now();
        await Promise.all(Array.from({ length: CALLERS }, caller));
        const ms = performance.now() - started;
        const used = cpu.stop();
        const perItem = (seconds: number | undefined) => (seconds === undefined ? '?' : `${((seconds * 1000) / ITEMS).toFixed(2)} ms`);
        const line = `${(ms / 1000).toFixed(2)} s wall; an item: JVM ${perItem(used.other)}, its table thread ${perItem(used.queue)}`;
        say(`round ${round}, ${shape}, ${kind}: ${line}`);
        if (round > 1) rows.push([`round ${round}: ${shape}, ${kind}`, line]);
      }
    }
  }
  reading = false;
  await Promise.all(readers);
  rows.unshift([
    'DynamoDB Local alone',
    `${ITEMS} items a round, ${CALLERS} callers × ${PER_CALL}, ${READERS} stream readers; ${availableParallelism()} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (round 1 warms up, not shown)`,
  ]);
  say(formatTable(rows));
} finally {
  await engine.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
