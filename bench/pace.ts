/**
 * `npm run bench:pace`: two `immediately` batches ingesting at once on the local runtime, through the real API, with
 * every StartExecution call counted per second where AWS counts its quota — at the (local) Step Functions API. Shows
 * that the system's one pace holds for everyone together: the busiest second against `START_EXECUTION_RATE` +
 * `START_EXECUTION_BURST`, the mean rate, and that every review started. Prints figures; it is not a test
 * (`test/system/start-pace.test.ts` is the small version that runs in CI).
 *
 *   BENCH_PACE_ROWS=10000          rows in each of the two manifests (~3 % bad)
 *   START_EXECUTION_RATE=300       the pace (and START_EXECUTION_BURST=300)
 *   LOCAL_MAX_STARTING_EXECUTIONS  review executions the local engine steps through their start at once (default 32)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime } from '../infra/local/runtime.ts';
import { busiestWindow } from '../infra/local/step-functions/sfn-api-server.ts';
import { paceSettingsOf } from '../shared/adapters/deps/pace-config.ts';
import { ingest, sharedClosureProof } from './ingest.ts';
import { benchRuntimeOptions, positiveInteger } from './settings.ts';
import { formatTable } from './table.ts';

process.env.LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const ROWS = positiveInteger('BENCH_PACE_ROWS', 10_000);
const { rate, burst } = paceSettingsOf(process.env);
const say = (line: string) => process.stderr.write(`${line}\n`);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const dataDir = mkdtempSync(join(tmpdir(), 'icp-pace-'));
say(`icp-cancel pace benchmark: two batches of ${ROWS} rows at once, pace ${rate}/s (burst ${burst}), data in ${dataDir}`);
const runtime = await startLocalRuntime(benchRuntimeOptions(dataDir));

try {
  const evidence = (await sharedClosureProof(runtime)) ?? '';
  const before = runtime.stepFunctionsApi.startExecutionCalls.length;
  const started = performance.now();
  const runs = await Promise.all([1, 2].map((series) => ingest(runtime, { rows: ROWS, hold: false, series, evidence, log: say })));
  const wallMs = performance.now() - started;

  // The paced starts: reviews (`app_…`) and deliveries (none here: no endpoint); not the two ingestion executions.
  const calls = runtime.stepFunctionsApi.startExecutionCalls.slice(before).filter((c) => !c.name.startsWith('bat_'));
  const times = calls.map((c) => c.at);
  const first = Math.min(...times);
  const spanMs = Math.max(...times) - first;
  const startedNames = new Set(calls.filter((c) => c.outcome === 'started' || c.outcome === 'exists').map((c) => c.name));
  const accepted = runs.reduce((sum, r) => sum + r.accepted, 0);
  const perSecond = new Map<number, number>();
  for (const at of times) {
    const second = Math.floor((at - first) / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  }
  const seconds = [...perSecond.values()].sort((a, b) => a - b);
  const busiest = busiestWindow(times);
  const allowance = rate + burst;

  say(
    formatTable([
      ['machine', `${cpus()[0]?.model.trim() ?? '?'}, ${availableParallelism()} cores, load now ${loadavg().map((l) => l.toFixed(1)).join(' ')}`],
      ['batches', `2 × ${ROWS} rows at once, ${accepted} applications submitted`],
      ['ingestion durable', runs.map((r) => s(r.ms)).join(', ')],
      ['last review started', `${runs.map((r) => s(r.reviewsMs ?? 0)).join(', ')} (both done after ${s(wallMs)})`],
      ['StartExecution calls', `${calls.length} (${calls.filter((c) => c.outcome === 'throttled').length} throttled), ${startedNames.size} executions started`],
      ['every review started', startedNames.size >= accepted ? 'yes' : `NO: ${accepted - startedNames.size} missing`],
      ['first to last call', `${s(spanMs)} = ${Math.round(calls.length / (spanMs / 1000))}/s on average (pace ${rate}/s)`],
      ['calls a second', `median ${seconds[Math.floor(seconds.length / 2)] ?? 0}, max in a fixed second ${seconds.at(-1) ?? 0}`],
      ['busiest 1-s window', `${busiest} — allowance rate + burst = ${allowance}: ${busiest <= allowance ? 'WITHIN' : 'OVER'}`],
      ['starts ÷ rate', `${s((startedNames.size / rate) * 1000)}; first to last call ${(spanMs / ((startedNames.size / rate) * 1000)).toFixed(2)}× of it`],
    ]),
  );
} finally {
  process.env.LOG_LEVEL = 'ERROR';
  await runtime.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
