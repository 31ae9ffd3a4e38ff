/**
 * `npm run chaos [-- --seed <n>] [--rows <n>] [--applications <n>] [--batches <n>] [--faults <plan>] [--timeout <s>]
 * [--keep]`: the chaos run (see `runChaos`): 1,000 CSV batch rows and 200 single applications through their whole
 * lifecycle on a local runtime with a fault plan on, one SIGKILL of the runtime and a restart, then the checks. From a
 * random seed unless one is given (printed first, to replay a run). Progress and every failed check go to stderr, the
 * one summary line to stdout; exits 0 only when every count of the summary is 0.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_FAULTS, runChaos } from './chaos.ts';
import { passed, summaryLine } from './checks.ts';

const USAGE =
  'usage: npm run chaos -- [--seed <integer>] [--rows <n>] [--applications <n>] [--batches <n>] [--faults <plan>] ' +
  '[--down <seconds>] [--timeout <seconds>] [--keep]';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    rows: { type: 'string', default: '1000' },
    applications: { type: 'string', default: '200' },
    batches: { type: 'string', default: '2' },
    faults: { type: 'string', default: DEFAULT_FAULTS },
    down: { type: 'string', default: '20' },
    'chunk-rows': { type: 'string', default: '50' },
    timeout: { type: 'string', default: '7200' },
    keep: { type: 'boolean', default: false },
  },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const numbers = { rows: Number(values.rows), singles: Number(values.applications), batches: Number(values.batches), down: Number(values.down), chunkRows: Number(values['chunk-rows']), timeout: Number(values.timeout) };
if (!Number.isInteger(seed) || seed < 0 || Object.values(numbers).some((n) => !Number.isInteger(n) || n < 0) || numbers.batches < 1 || numbers.chunkRows < 1 || numbers.timeout < 1) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

const started = Date.now();
const run = { seed, rows: numbers.rows, singles: numbers.singles };
try {
  const report = await runChaos({
    seed,
    rows: numbers.rows,
    batches: numbers.batches,
    singles: numbers.singles,
    faults: values.faults,
    downMs: numbers.down * 1000,
    failureRate: 0.2,
    chunkRows: numbers.chunkRows,
    timeoutMs: numbers.timeout * 1000,
    keep: values.keep,
    log: (line) => process.stderr.write(`${line.replace(/^chaos: /, `chaos: [${Math.round((Date.now() - started) / 1000)} s] `)}\n`),
  });
  const { client } = report;
  process.stderr.write(
    `chaos: ${Math.round(report.ms / 1000)} s; ${client.requests} requests, retried ${client.networkFailures} times without an answer and ${client.serverErrors} times on a 5xx; ` +
      `the receiver answered ${[...report.answers].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}\n`,
  );
  process.stdout.write(`${summaryLine({ ...run, kills: report.kills }, report.counts)}\n`);
  process.exitCode = passed(report.counts) ? 0 : 1;
} catch (error) {
  // The run itself broke (the runtime would not start, say): no checks to count, and a summary line that says so.
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.stdout.write(`chaos: seed ${seed}, ${run.rows} rows + ${run.singles} applications: the run did not finish (${error instanceof Error ? error.message : String(error)}) — FAIL\n`);
  process.exitCode = 1;
}
