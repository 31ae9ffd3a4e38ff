/**
 * `npm run bench:partitions`: how evenly a large batch spreads its writes over partition keys. Ingests a generated
 * manifest on the local runtime, through the real API, with a webhook endpoint receiving every event, and counts the
 * item writes per partition key of the table and of each index (the metering proxy, `partition-writes.ts`), from the
 * batch's creation until it is ingested (rows written, reviews started, its report written), and then for as long as
 * the writes it set off go on (reviews, webhook deliveries), at most `BENCH_SETTLE_S`. Prints the busiest partitions
 * and their share of the writes; it is not a test.
 *
 * DynamoDB serves one partition key at most 1,000 write units a second: a partition taking a large share of a batch's
 * writes caps the whole batch at 1,000 ÷ that share (and a throttled index throttles the table's writes).
 *
 *   BENCH_ROWS=10000          rows in the manifest (~3 % bad)
 *   BENCH_MODE=immediately    `immediately` (rows submitted, reviews started) or `hold` (drafts)
 *   BENCH_TOP=5               partitions shown per table and index
 *   BENCH_SETTLE_S=20         how long the count goes on after the ingestion, at most (deliveries trail it locally)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PartitionWriteCounts } from '../infra/local/engines/partition-writes.ts';
import { ingest, sharedClosureProof } from './ingest.ts';
import { formatTable } from './table.ts';
import { benchRuntimeOptions, positiveInteger } from './settings.ts';

process.env.LOG_LEVEL ??= 'WARN';
// No EMF lines on stdout, which is for the figures; set before the functions' modules load (imported below).
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
const { startLocalRuntime } = await import('../infra/local/runtime.ts');
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const ROWS = positiveInteger('BENCH_ROWS', 10_000);
const TOP = positiveInteger('BENCH_TOP', 5);
const SETTLE_MS = positiveInteger('BENCH_SETTLE_S', 20) * 1000;
const MODE = process.env.BENCH_MODE ?? 'immediately';
if (MODE !== 'immediately' && MODE !== 'hold') throw new Error('BENCH_MODE takes immediately or hold');

const say = (line: string) => process.stderr.write(`${line}\n`);
const dataDir = mkdtempSync(join(tmpdir(), 'icp-partitions-'));
// A webhook endpoint that accepts everything, so that every event becomes a delivery, as with a customer listening.
const receiver = createServer((request, response) => {
  request.resume();
  request.on('end', () => response.writeHead(204).end());
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
say(`icp-cancel partitions: a ${ROWS}-row batch (${MODE}), data in ${dataDir}`);
const runtime = await startLocalRuntime(benchRuntimeOptions(dataDir, { meter: true, countPartitionWrites: true }));

try {
  const usage = runtime.usage;
  if (!usage) throw new Error('the runtime has no usage meter');
  const endpoint = await fetch(`${runtime.url}/v1/webhook-endpoints`, {
    method: 'POST',
    headers: { authorization: `Bearer ${runtime.demoTenant.agencyKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` }),
  });
  if (endpoint.status !== 201) throw new Error(`Registering the webhook endpoint failed: ${endpoint.status} ${await endpoint.text()}`);
  const evidence = (await sharedClosureProof(runtime)) ?? '';

  const before = usage.partitionWrites() ?? {};
  const started = performance.now();
  const result = await ingest(runtime, { rows: ROWS, hold: MODE === 'hold', series: 1, evidence, log: say });
  if (result.skipped) throw new Error(`not measured: ${result.skipped}`);
  const ingestedMs = performance.now() - started;
  say(`ingested in ${(ingestedMs / 1000).toFixed(1)} s; counting on while the writes it set off go on`);
  const after = await settled(() => usage.partitionWrites() ?? {}, SETTLE_MS);
  const windowMs = performance.now() - started;

  const writes = subtract(after.counts, before);
  const all = Object.values(writes).reduce((sum, byPartition) => sum + total(byPartition), 0);
  const rows: [string, string][] = [
    ['batch', `${ROWS} rows (${result.accepted} applications, ${result.refused} refused), ${MODE}; a webhook endpoint receiving every event`],
    [
      'window',
      `${(windowMs / 1000).toFixed(1)} s: ingested after ${(ingestedMs / 1000).toFixed(1)} s, then ${after.quiet ? 'until no write came for 3 s' : `${SETTLE_MS / 1000} s more (still writing then: reviews and deliveries trail the ingestion)`}`,
    ],
    ['item writes', `${all} in all (table and indexes); peaks per second are the local engine's pace, not AWS's`],
  ];
  let busiest: { target: string; partition: string; writes: number; ofTarget: number } | undefined;
  for (const [target, byPartition] of Object.entries(writes).sort(([a], [b]) => (a === 'table' ? -1 : b === 'table' ? 1 : a.localeCompare(b)))) {
    const sum = total(byPartition);
    const ranked = Object.entries(byPartition).sort(([, a], [, b]) => b.writes - a.writes);
    rows.push([target, `${sum} writes over ${ranked.length} partition keys`]);
    for (const [partition, count] of ranked.slice(0, TOP)) {
      rows.push([`  ${partition}`, `${count.writes} (${pct(count.writes, sum)} of ${target}, ${pct(count.writes, all)} of all), peak ${count.peakPerSecond}/s`]);
    }
    const [topPartition, top] = ranked[0] ?? [];
    if (topPartition && top && (!busiest || top.writes > busiest.writes)) busiest = { target, partition: topPartition, writes: top.writes, ofTarget: sum };
  }
  say(formatTable(rows));
  if (busiest) {
    process.stdout.write(
      `busiest partition: ${busiest.target} ${busiest.partition}: ${busiest.writes} of ${busiest.ofTarget} writes (${pct(busiest.writes, busiest.ofTarget)}) of ${busiest.target}, ${pct(busiest.writes, all)} of all ${all} item writes\n`,
    );
  }
} finally {
  // Review executions still running at the end fail their tasks as the engines stop: expected, and not worth a log.
  process.env.LOG_LEVEL = 'ERROR';
  await runtime.stop();
  receiver.close();
  rmSync(dataDir, { recursive: true, force: true });
}

/** The counts once no write has come for 3 s (or `timeoutMs` has passed: `quiet` false). */
async function settled(read: () => PartitionWriteCounts, timeoutMs: number): Promise<{ counts: PartitionWriteCounts; quiet: boolean }> {
  const started = Date.now();
  let last = grandTotal(read());
  let stillSince = Date.now();
  while (Date.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, 500));
    const now = grandTotal(read());
    if (now !== last) {
      last = now;
      stillSince = Date.now();
    } else if (Date.now() - stillSince >= 3_000) {
      return { counts: read(), quiet: true };
    }
  }
  return { counts: read(), quiet: false };
}

function subtract(after: PartitionWriteCounts, before: PartitionWriteCounts): PartitionWriteCounts {
  const out: PartitionWriteCounts = {};
  for (const [target, byPartition] of Object.entries(after)) {
    for (const [partition, count] of Object.entries(byPartition)) {
      const writes = count.writes - (before[target]?.[partition]?.writes ?? 0);
      if (writes > 0) (out[target] ??= {})[partition] = { writes, peakPerSecond: count.peakPerSecond };
    }
  }
  return out;
}

function total(byPartition: PartitionWriteCounts[string]): number {
  return Object.values(byPartition).reduce((sum, c) => sum + c.writes, 0);
}

function grandTotal(counts: PartitionWriteCounts): number {
  return Object.values(counts).reduce((sum, byPartition) => sum + total(byPartition), 0);
}

function pct(part: number, whole: number): string {
  return `${((100 * part) / Math.max(whole, 1)).toFixed(1)} %`;
}
