/**
 * `npm run bench`: ingests a generated manifest end to end on the local runtime, through the real API, and compares it
 * with a bare `BatchWriteItem` of as many items against the same DynamoDB Local. Prints figures; it is not a test.
 *
 *   BENCH_ROWS=10000               rows in the manifest (~3 % bad)
 *   BENCH_MODES=hold,immediately   ingestions to measure: `hold` (drafts: validation, records, report) and
 *                                  `immediately` (also submitted: every good row's review start requested with the
 *                                  row; the reviews then started at START_EXECUTION_RATE, measured until the last)
 *   BENCH_INGEST_REPS=1            ingestions per mode, each a new batch of new filings (the median is compared)
 *   BENCH_BARE_REPS=3              bare-write repetitions (the median is compared)
 *   BENCH_WRITERS=4                concurrent BatchWriteItem callers in the bare write
 *   BENCH_WARMUP_ROWS              rows of a held ingestion before any measurement, which does not count (default
 *                                  BENCH_ROWS, at most 2,000; 0 for none), beside a bare warm-up write as large
 *   START_EXECUTION_RATE=300       the system's StartExecution pace (and START_EXECUTION_BURST)
 *   LOCAL_MAX_STARTING_EXECUTIONS  review executions the local engine steps through their start at once (default 32)
 *   BENCH_METER=1                  also prints the DynamoDB requests of each ingestion, from POST to durable, by operation
 *                                  (through the metering proxy: one more hop a call, so its times are not comparable)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { type AttributeValue, DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { createTableFromTemplate } from '../infra/local/engines/dynamodb-local.ts';
import { REPO_ROOT, startLocalRuntime, TABLE_NAME } from '../infra/local/runtime.ts';
import { synthesizeTemplates } from '../infra/local/synthesize.ts';
import { type UsageSnapshot, usageBetween } from '../infra/local/usage.ts';
import { readWiring } from '../infra/local/template-wiring.ts';
import { paceSettingsOf } from '../shared/adapters/deps/pace-config.ts';
import { bareWrite } from './bare-write.ts';
import { type IngestResult, ingest, sharedClosureProof } from './ingest.ts';
import { creditCodeFor, filingNumberFor } from './manifest.ts';
import { CpuMeter, type CpuUsed } from './cpu.ts';
import { findDynamoDbLocalPid, peakRssOf, RssSampler } from './memory.ts';
import { waitUntilQuiet } from './quiet.ts';
import { formatTable, median, mib, size } from './table.ts';
import { benchRuntimeOptions, nonNegativeInteger, positiveInteger } from './settings.ts';

process.env.LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const ROWS = positiveInteger('BENCH_ROWS', 10_000);
const BARE_REPS = positiveInteger('BENCH_BARE_REPS', 3);
const INGEST_REPS = positiveInteger('BENCH_INGEST_REPS', 1);
const WRITERS = positiveInteger('BENCH_WRITERS', 4);
/** Rows of the warm-up ingestion (0: none); its manifest's filings are a series of their own. */
const WARM_UP_ROWS = nonNegativeInteger('BENCH_WARMUP_ROWS', Math.min(ROWS, 2_000));
const WARM_UP_SERIES = 90;
const MODES = (process.env.BENCH_MODES ?? 'hold,immediately').split(',').map((m) => m.trim());
if (MODES.some((m) => m !== 'hold' && m !== 'immediately')) throw new Error('BENCH_MODES takes hold and/or immediately');
/** Ingestion (rows and their start requests durable) against the bare write: `hold`, and `immediately`. */
const TARGET_RATIO = { hold: 2, immediately: 1.5 } as const;
/** The last review started against starts ÷ rate: within 10 %. */
const TARGET_START_RATIO = 1.1;
const TARGET_MEMORY = 512 * 1024 * 1024;

type Measured = IngestResult & { mode: string; peakRss: number; peakJvmRss: number; items: number; cpu: CpuUsed };

const say = (line: string) => process.stderr.write(`${line}\n`);
const dataDir = mkdtempSync(join(tmpdir(), 'icp-bench-'));
say(`icp-cancel benchmark: ${ROWS} rows, modes ${MODES.join(' + ')}, data in ${dataDir}`);
const METER = process.env.BENCH_METER === '1';
const runtime = await startLocalRuntime(benchRuntimeOptions(dataDir, METER ? { meter: true } : {}));

try {
  const jvm = findDynamoDbLocalPid(dataDir);
  const dynamo = new DynamoDBClient({});
  const bareTable = `${TABLE_NAME}-bare`;
  const templates = await synthesizeTemplates(REPO_ROOT, join(REPO_ROOT, 'node_modules', '.cache', 'icp-cancel'));
  await createTableFromTemplate(dynamo, bareTable, readWiring(templates.data, templates.service).tableProperties);

  // One application through the API warms the handlers up and gives the item the bare write copies; one closure proof
  // that every row references makes good rows complete, so that `immediately` submits them.
  const template = await applicationItem(runtime.url, runtime.demoTenant.agencyKey);
  const evidence = (await sharedClosureProof(runtime)) ?? '';

  const bare: number[] = [];
  const bareCpu: CpuUsed[] = [];
  let bareBytes = 0;
  const quiet = async () => {
    const waited = await waitUntilQuiet(jvm);
    if (waited >= 60_000) say('  (still busy after 60 s of waiting to settle: measuring anyway)');
    else if (waited > 3_000) say(`  (waited ${s(waited)} for the stream poller and the JVM to settle)`);
  };
  const runBare = async () => {
    await quiet();
    const cpu = new CpuMeter(jvm).start();
    const result = await bareWrite(dynamo, { table: bareTable, template, items: ROWS, writers: WRITERS, run: `r${bare.length}` });
    const used = cpu.stop();
    bareBytes = result.itemBytes;
    bare.push(result.ms);
    bareCpu.push(used);
    say(`bare write ${bare.length}: ${ROWS} items in ${s(result.ms)}, CPU ${cpuText(used)} (${result.retried} unprocessed items re-sent; load ${load()})`);
  };
  const measured: Measured[] = [];
  const runIngest = async (mode: string) => {
    const before = await countItems(dynamo, TABLE_NAME);
    await quiet();
    const sampler = new RssSampler(jvm).start();
    let posted: UsageSnapshot | undefined;
    const cpu = new CpuMeter(jvm);
    let cpuUsed: CpuUsed = { self: 0, other: undefined, queue: undefined };
    const marks = {
      posted: () => {
        posted = runtime.usage?.snapshot();
        cpu.start();
      },
      durable: () => {
        cpuUsed = cpu.stop();
        say(`  CPU from POST to durable: ${cpuText(cpuUsed)}`);
        const now = runtime.usage?.snapshot();
        if (posted && now) say(dynamoRequests(usageBetween(posted, now), ROWS));
      },
    };
    const result = await ingest(runtime, { rows: ROWS, hold: mode === 'hold', series: measured.length + 1, evidence, log: say, marks });
    sampler.stop();
    const items = (await countItems(dynamo, TABLE_NAME)) - before;
    measured.push({ ...result, mode, peakRss: sampler.peakSelf, peakJvmRss: sampler.peakOther, items, cpu: cpuUsed });
    say(`  (${mode}: load ${load()}; RSS now ${mib(process.memoryUsage.rss())}, peak ${mib(sampler.peakSelf)})`);
  };

  // The JVM compiles its hot paths during the first thousands of writes: a warm-up write and a warm-up ingestion (held:
  // no reviews left running) that do not count, so that each side is measured on code Java has compiled, as a local
  // engine that has been up for a while runs it. Until 2026-12-02 only the bare write's paths were warmed up.
  await bareWrite(dynamo, { table: bareTable, template, items: Math.min(ROWS, 2_000), writers: WRITERS, run: 'warm-up' });
  if (WARM_UP_ROWS > 0) {
    const warm = await ingest(runtime, { rows: WARM_UP_ROWS, hold: true, series: WARM_UP_SERIES, evidence, log: () => {} });
    say(`warm-up: a held ingestion of ${WARM_UP_ROWS} rows (${s(warm.ms)}), not measured`);
  }

  // Bare writes and held ingestions take turns, so that a JVM warming up or tables growing weigh on both sides. The
  // submitted ingestions come last: their review executions go on running (up to the authority's wait) afterwards.
  const holds = MODES.includes('hold') ? INGEST_REPS : 0;
  for (let i = 0; i < Math.max(BARE_REPS, holds); i++) {
    if (i < BARE_REPS) await runBare();
    if (i < holds) await runIngest('hold');
  }
  if (MODES.includes('immediately')) for (let i = 0; i < INGEST_REPS; i++) await runIngest('immediately');

  const bareMs = median(bare);
  const rows: [string, string][] = [
    ['machine', `${cpus()[0]?.model.trim() ?? '?'}, ${availableParallelism()} cores, ${mib(totalmem())} RAM, load now ${load()}`],
    ['manifest', `${ROWS} rows, ${measured[0]?.bad ?? '?'} bad (${size(measured[0]?.bytes ?? 0)})`],
    ['bare BatchWriteItem', `${s(bareMs)} median of ${bare.map(s).join(', ')} — ${Math.round(ROWS / (bareMs / 1000))} items/s; ${WRITERS} writers × 25, ~${bareBytes} B/item`],
    ['  CPU (median)', cpuText(medianCpu(bareCpu))],
  ];
  const skipped = measured.find((m) => m.skipped);
  if (skipped) rows.push(['ingestion', `not measured: ${skipped.skipped}`]);
  for (const mode of MODES) {
    const runs = measured.filter((m) => m.mode === mode && !m.skipped);
    if (runs.length === 0) continue;
    const ms = median(runs.map((r) => r.ms));
    const ratio = ms / bareMs;
    const target = TARGET_RATIO[mode as keyof typeof TARGET_RATIO];
    const peak = Math.max(...runs.map((r) => r.peakRss));
    const first = runs[0] as Measured;
    rows.push(
      [
        `ingestion, ${mode}`,
        `${s(ms)}${runs.length > 1 ? ` median of ${runs.map((r) => s(r.ms)).join(', ')}` : ''} — ${Math.round(ROWS / (ms / 1000))} rows/s (upload ${s(first.uploadMs)}); rows${mode === 'immediately' ? ' and their start requests' : ''} durable, report written`,
      ],
      ['  rows', `${first.accepted} applications, ${first.refused} refused; report ${first.reportRows} lines, ${first.reportCheck}`],
      ['  review executions started', `${first.workflows}`],
      [
        '  items in the table after',
        `+${first.items} (${(first.items / ROWS).toFixed(1)} a row${mode === 'immediately' ? ', with what the reviews had written by then' : ''}) — ${Math.round(first.items / (first.ms / 1000))} items/s`,
      ],
      ['  ratio to bare write', `${ratio.toFixed(2)}× — target ≤ ${target}×: ${ratio <= target ? 'MET' : 'NOT MET'}`],
      ['  CPU, POST to durable', `${cpuText(medianCpu(runs.map((r) => r.cpu)))} → ${cpuRatio(medianCpu(runs.map((r) => r.cpu)), medianCpu(bareCpu))} the bare write's`],
      ...(first.reviewsMs === undefined ? [] : reviewsStarted(first)),
      ['  peak RSS, this process', `${(peak / 1024 / 1024).toFixed(1)} MiB (sampled every 50 ms) — target < 512 MiB: ${peak < TARGET_MEMORY ? 'MET' : 'NOT MET'}`],
      ['  peak RSS, DynamoDB Local', jvm ? `${mib(Math.max(...runs.map((r) => r.peakJvmRss)))} (the JVM; not in the target)` : 'JVM not found in /proc'],
    );
  }
  rows.push(['peak RSS, whole run', `${mib(peakRssOf(process.pid) ?? process.resourceUsage().maxRSS * 1024)} this process (start-up included)`]);
  say(formatTable(rows));
} finally {
  // Review executions still running at the end fail their tasks as the engines stop: expected, and not worth a log.
  process.env.LOG_LEVEL = 'ERROR';
  await runtime.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

/**
 * When the last review started (from `POST /v1/batches`, and the span of the batch's StartExecution calls at the local
 * Step Functions API), against what the system's pace allows: starts ÷ `START_EXECUTION_RATE`.
 */
function reviewsStarted(run: Measured): [string, string][] {
  const { rate, burst } = paceSettingsOf(process.env);
  const floorMs = (run.workflows / rate) * 1000;
  const ratio = (run.reviewsMs ?? 0) / floorMs;
  return [
    [
      '  last review started',
      `${s(run.reviewsMs ?? 0)} after POST; starts ÷ rate = ${run.workflows} ÷ ${rate}/s = ${s(floorMs)} → ${ratio.toFixed(2)}× — target ≤ ${TARGET_START_RATIO}×: ${ratio <= TARGET_START_RATIO ? 'MET' : 'NOT MET'}`,
    ],
    ['  review starts at the API', `first to last ${s(run.startSpanMs ?? 0)} = ${Math.round(run.workflows / ((run.startSpanMs ?? 1) / 1000))}/s (pace ${rate}/s, burst ${burst})`],
    ['  … while ingesting / after', `${run.startRates?.ingesting ?? '?'}/s / ${run.startRates?.after ?? '?'}/s`],
    [
      '  … first start, longest pauses',
      run.startGaps
        ? `${s(run.startGaps.firstMs)} after POST; ${run.startGaps.longestPauses.map((p) => `${s(p.ms)} from ${s(p.atMs)}`).join(', ')} (ingestion durable at ${s(run.ms)})`
        : '?',
    ],
  ];
}

/** The DynamoDB requests of one ingestion by operation (every caller), and a row's share of them (`BENCH_METER`). */
function dynamoRequests(usage: UsageSnapshot, rows: number): string {
  const byOperation = new Map<string, { requests: number; writeUnits: number; readUnits: number }>();
  for (const ops of Object.values(usage.dynamodb)) {
    for (const [op, u] of Object.entries(ops)) {
      const sum = byOperation.get(op) ?? { requests: 0, writeUnits: 0, readUnits: 0 };
      byOperation.set(op, { requests: sum.requests + u.requests, writeUnits: sum.writeUnits + u.writeUnits, readUnits: sum.readUnits + u.readUnits });
    }
  }
  const lines = [...byOperation]
    .sort(([, a], [, b]) => b.requests - a.requests)
    .map(([op, u]) => `    ${op}: ${u.requests} requests (${(u.requests / rows).toFixed(3)} a row), ${Math.round(u.writeUnits)} WRU, ${Math.round(u.readUnits)} RRU`);
  const items = Object.entries(usage.itemSizes)
    .sort(([, a], [, b]) => b.count - a.count)
    .map(([entity, size]) => `${entity} ${size.count} × ${Math.round(size.totalBytes / size.count)} B`);
  return ['  DynamoDB requests from POST to durable:', ...lines, `    items put: ${items.join(', ')}`].join('\n');
}

function cpuText(cpu: CpuUsed): string {
  const seconds = (value: number | undefined) => (value === undefined ? '?' : `${value.toFixed(2)} s`);
  return `${seconds(cpu.self)} this process, ${seconds(cpu.other)} DynamoDB Local (${seconds(cpu.queue)} its table thread)`;
}

function medianCpu(runs: CpuUsed[]): CpuUsed {
  const of = (pick: (r: CpuUsed) => number | undefined) => {
    const values = runs.flatMap((r) => (pick(r) === undefined ? [] : [pick(r) as number]));
    return values.length > 0 ? median(values) : undefined;
  };
  return { self: median(runs.map((r) => r.self)), other: of((r) => r.other), queue: of((r) => r.queue) };
}

/** Each part's CPU against the bare write's, e.g. `6.1× / 3.0× / 3.4×` (this process / DynamoDB Local / its thread). */
function cpuRatio(cpu: CpuUsed, bare: CpuUsed): string {
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? `${(a / b).toFixed(2)}×` : '?');
  return `${ratio(cpu.self, bare.self)} / ${ratio(cpu.other, bare.other)} / ${ratio(cpu.queue, bare.queue)}`;
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

function s(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Items in a table, counted with a paginated Scan (outside any measurement: it reads the whole table). */
async function countItems(client: DynamoDBClient, table: string): Promise<number> {
  let count = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) }));
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

/** Creates one application through the API and reads its item back raw, keys and all. */
async function applicationItem(url: string, key: string) {
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
