/**
 * `npm run fuzz [-- --seed <n>] [--requests <n>] [--trace]`: fuzzes the HTTP API of a local runtime of its own (see `runFuzz`),
 * 10,000 requests by default, from a random seed unless one is given (it is printed first, to replay a run). Failures
 * and progress (with `--trace`, every request) go to stderr; the one summary line to stdout. Exits 0 only when every count of the summary is 0.
 */
import { parseArgs } from 'node:util';

// Before the functions' modules load (they read it then): errors only, and no metric lines among the output.
process.env.LOG_LEVEL ??= 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { passed, runFuzz, summaryLine } = await import('./fuzz.ts');

const { values } = parseArgs({ options: { seed: { type: 'string' }, requests: { type: 'string', default: '10000' }, trace: { type: 'boolean', default: false } } });
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const requests = Number(values.requests);
if (!Number.isInteger(seed) || !Number.isInteger(requests) || requests < 1) {
  process.stderr.write('usage: npm run fuzz -- [--seed <integer>] [--requests <positive integer>]\n');
  process.exit(2);
}

const report = await runFuzz({ seed, requests, trace: values.trace, log: (line) => process.stderr.write(`${line}\n`) });
process.stderr.write(
  `fuzz: ${Math.round(report.ms / 1000)} s; answers ${[...report.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}; ` +
    `${report.unattributed} refused requests answered while other functions ran (their changes not counted)\n`,
);
process.stdout.write(`${summaryLine(report)}\n`);
process.exitCode = passed(report) ? 0 : 1;
