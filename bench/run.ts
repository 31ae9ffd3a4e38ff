/**
 * `npm run bench`: ingests a generated manifest end to end on the local runtime, through the real API, and compares it
 * with a bare `BatchWriteItem` of as many items against the same DynamoDB Local. Prints figures; it is not a test.
 *
 *   BENCH_ROWS=10000      rows in the manifest (~3 % bad)
 *   BENCH_BARE_REPS=3     bare-write repetitions (the median is compared)
 *   BENCH_INGEST_REPS=1   ingestions, each a new batch of new filings (the median is compared)
 *   BENCH_WRITERS=4       concurrent BatchWriteItem callers in the bare write
 *   BENCH_HOLD=0          1: hold the rows as drafts (no workflow starts)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

process.env.LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
const { REPO_ROOT, startLocalRuntime, TABLE_NAME } = await import('../infra/local/runtime.ts');
const { createTableFromTemplate } = await import('../infra/local/engines/dynamodb-local.ts');
const { synthesizeTemplates } = await import('../infra/local/synthesize.ts');
const { readWiring } = await import('../infra/local/template-wiring.ts');
const { bareWrite } = await import('./bare-write.ts');
const { ingest, sharedClosureProof } = await import('./ingest.ts');
const { findDynamoDbLocalPid, peakRssOf, RssSampler } = await import('./memory.ts');
const { formatTable, median, mib } = await import('./table.ts');

const int = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};
const ROWS = int('BENCH_ROWS', 10_000);
const BARE_REPS = int('BENCH_BARE_REPS', 3);
const INGEST_REPS = int('BENCH_INGEST_REPS', 1);
const WRITERS = int('BENCH_WRITERS', 4);
const HOLD = process.env.BENCH_HOLD === '1';
const TARGET_RATIO = 2;
const TARGET_MEMORY = 512 * 1024 * 1024;

const say = (line: string) => process.stderr.write(`${line}\n`);
const dataDir = mkdtempSync(join(tmpdir(), 'icp-bench-'));
say(`icp-cancel benchmark: ${ROWS} rows, data in ${dataDir}`);
const runtime = await startLocalRuntime({ port: 0, dataDir, authority: 'manual', authorityDelayMs: 0, timeScale: 1 });

try {
  const jvm = findDynamoDbLocalPid(dataDir);
  const dynamo = new DynamoDBClient({});
  const bareTable = `${TABLE_NAME}-bare`;
  const templates = await synthesizeTemplates(REPO_ROOT, join(REPO_ROOT, 'node_modules', '.cache', 'icp-cancel'));
  await createTableFromTemplate(dynamo, bareTable, readWiring(templates.data, templates.service).tableProperties);

  // One application through the API: it warms the handlers up and gives the item the bare write copies.
  const template = await applicationItem(runtime.url, runtime.demoTenant.agencyKey);

  // Every row references one closure proof, so good rows are complete and submitted (workflows started) as they come.
  const evidence = (await sharedClosureProof(runtime)) ?? '';

  const bare: number[] = [];
  const ingestions: Awaited<ReturnType<typeof ingest>>[] = [];
  let bareBytes = 0;
  const runBare = async (i: number) => {
    const result = await bareWrite(dynamo, { table: bareTable, template, items: ROWS, writers: WRITERS, run: `r${i}` });
    bareBytes = result.itemBytes;
    bare.push(result.ms);
    say(`bare write ${i}: ${ROWS} items in ${(result.ms / 1000).toFixed(2)} s (${result.retried} unprocessed items re-sent)`);
  };

  // Bare writes before and after the ingestions, so that a JVM warming up or a table growing weighs on both sides.
  await runBare(1);
  for (let i = 1; i <= INGEST_REPS; i++) {
    const sampler = new RssSampler(jvm).start();
    const result = await ingest(runtime, { rows: ROWS, hold: HOLD, series: i, evidence, log: say });
    sampler.stop();
    ingestions.push({ ...result, peakRss: sampler.peakSelf, peakJvmRss: sampler.peakOther });
    if (result.skipped) break;
  }
  for (let i = 2; i <= BARE_REPS; i++) await runBare(i);

  const done = ingestions.filter((r) => !r.skipped);
  const bareMs = median(bare);
  const rows: [string, string][] = [
    ['machine', `${cpus()[0]?.model.trim() ?? '?'}, ${availableParallelism()} cores, ${mib(totalmem())} RAM, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`],
    ['rows (bad)', `${ROWS} (${done[0]?.bad ?? '?'})`],
    ['bare BatchWriteItem', `${fmtS(bareMs)} median of ${bare.map(fmtS).join(', ')}; ${WRITERS} writers × 25 items, ~${bareBytes} B/item`],
  ];
  if (done.length === 0) {
    rows.push(['ingestion', `not measured: ${ingestions[0]?.skipped ?? 'no run'}`]);
    say(formatTable(rows));
  } else {
    const ingestMs = median(done.map((r) => r.ms));
    const ratio = ingestMs / bareMs;
    const peak = Math.max(...done.map((r) => r.peakRss ?? 0));
    rows.push(
      ['ingestion (end to end)', `${fmtS(ingestMs)} median of ${done.map((r) => fmtS(r.ms)).join(', ')}`],
      ['  of which upload', done.map((r) => fmtS(r.uploadMs)).join(', ')],
      ['throughput', `${Math.round(ROWS / (ingestMs / 1000))} rows/s (bare: ${Math.round(ROWS / (bareMs / 1000))} items/s)`],
      ['applications / refused', `${done[0]?.accepted} / ${done[0]?.refused} (report: ${done[0]?.reportRows} rows, ${done[0]?.reportCheck})`],
      ['workflows started', `${done[0]?.workflows} (${HOLD ? 'held as drafts' : 'immediate submission'})`],
      ['ratio ingestion / bare', `${ratio.toFixed(2)}× — target ≤ ${TARGET_RATIO}×: ${ratio <= TARGET_RATIO ? 'MET' : 'NOT MET'}`],
      ['peak RSS, this process', `${mib(peak)} during ingestion (sampled every 50 ms) — target < 512 MiB: ${peak < TARGET_MEMORY ? 'MET' : 'NOT MET'}`],
      ['peak RSS, process lifetime', `${mib(peakRssOf(process.pid) ?? process.resourceUsage().maxRSS * 1024)} (includes start-up)`],
      ['peak RSS, DynamoDB Local', jvm ? `${mib(Math.max(...done.map((r) => r.peakJvmRss ?? 0)))} (JVM, pid ${jvm}; not in the target)` : 'not found in /proc'],
    );
    say(formatTable(rows));
  }
} finally {
  await runtime.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

function fmtS(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Creates one application through the API and reads its item back raw, keys and all. */
async function applicationItem(url: string, key: string) {
  const { filingNumberFor, creditCodeFor } = await import('./manifest.ts');
  const response = await fetch(`${url}/v1/applications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'cancel_website',
      filingNumber: filingNumberFor(999_999, 99),
      websiteName: '示例网站 1, 旧站',
      domains: ['site-1.example.cn'],
      subject: { name: '示例科技有限公司 第0号', type: 'enterprise', creditCode: creditCodeFor(0) },
      reason: 'business_change',
      siteState: { state: 'closed', since: '2026-01-15' },
      customerRef: 'bench-template',
    }),
  });
  const body = (await response.json()) as { id?: string };
  if (response.status !== 201 || !body.id) throw new Error(`Creating the template application failed: ${response.status} ${JSON.stringify(body)}`);
  const item = await new DynamoDBClient({}).send(
    new GetItemCommand({ TableName: TABLE_NAME, Key: { pk: { S: `APP#${body.id}` }, sk: { S: 'APP' } } }),
  );
  if (!item.Item) throw new Error(`The application item ${body.id} is not in the table`);
  return item.Item;
}
