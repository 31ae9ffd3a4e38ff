/**
 * `npm run cost`: the cost per 1,000 cancellations, from the synthesized template and a local run. Prints figures; it
 * is not a test (the model's transitions are checked against the local engine by `test/system/cost-model.test.ts`).
 *
 * Starts the local runtime with its usage meter on, drives each path of `paths.ts` through the API (`drive.ts`),
 * walks each state machine's definition along the same paths (`asl-walk.ts`), prices both (`model.ts`) with the
 * price list, and prints a table per path (one block per component), a summary, the check of the model against what
 * the local engine executed, and last, exactly one line: `cost per 1,000 cancellations: happy $X.XX, rejected-once $Y.YY`.
 *
 *   COST_HANDLERS=bundled    what the functions run: `bundled` (the default: the deployed bundles, each function with
 *                            its own credentials, so DynamoDB is told apart by function) or `sources` (quicker to start)
 *   COST_PATHS=happy,...     the paths to run (default: all); happy and rejected-once make the last line
 *   COST_PRICES=<file>       another price list (default: bench/cost/prices-us-east-1.json)
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/local/runtime.ts';
import { synthesizeBundled, synthesizeTemplates } from '../../infra/local/synthesize.ts';
import { startRig } from './drive.ts';
import { type PathCost, priceDelivery, pricePath } from './model.ts';
import { PATHS } from './paths.ts';
import { loadPrices } from './prices.ts';
import { headline, modelMatchesEngine, renderCheck, renderPath, renderSummary } from './report.ts';
import { readTemplateFacts } from './template-facts.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const handlers = (process.env.COST_HANDLERS ?? 'bundled') as 'bundled' | 'sources';
if (handlers !== 'bundled' && handlers !== 'sources') throw new Error('COST_HANDLERS takes bundled or sources');
const wanted = (process.env.COST_PATHS ?? PATHS.map((p) => p.id).join(',')).split(',').map((p) => p.trim());
const unknown = wanted.filter((id) => !PATHS.some((p) => p.id === id));
if (unknown.length > 0) throw new Error(`COST_PATHS: no path ${unknown.join(', ')} (there are ${PATHS.map((p) => p.id).join(', ')})`);
const prices = loadPrices(process.env.COST_PRICES ?? undefined);

const say = (line: string) => process.stderr.write(`${line}\n`);
const cacheDir = join(REPO_ROOT, 'node_modules', '.cache', 'icp-cancel');
say(`icp-cancel cost model: ${handlers} functions, prices ${prices.region} checked ${prices.checked}`);
// The same templates the runtime runs (cached): the model reads the definitions and the functions' settings off them.
const facts = readTemplateFacts(handlers === 'bundled' ? await synthesizeBundled(REPO_ROOT, cacheDir) : await synthesizeTemplates(REPO_ROOT, cacheDir));
// The functions log at the level they are deployed with (the template's; INFO for the sources, as deployed).
process.env.LOG_LEVEL ??= 'INFO';

// The runtime's own start-up lines go to stderr with the progress: stdout is for the figures.
const stdoutWrite = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
const rig = await startRig({ handlers, captureLogs: true, progress: say }).finally(() => {
  process.stdout.write = stdoutWrite;
});
const costs: PathCost[] = [];
try {
  // Unmeasured: the first invocation of a function builds its clients and fills its caches, which Lambda does once per
  // instance, not per request. The rejected-once path invokes every function the cancellations do.
  say('warm-up (not measured):');
  await rig.run(PATHS.find((p) => p.id === 'rejected-once') as (typeof PATHS)[number]);
  for (const path of PATHS.filter((p) => wanted.includes(p.id))) {
    const run = await rig.run(path);
    costs.push(pricePath(run, facts, prices));
    if (path.id === 'happy') costs.push(priceDelivery(run, facts, prices));
  }
} finally {
  await rig.stop();
}

const out = (text: string) => process.stdout.write(`${text}\n`);
for (const cost of costs) out(`\n${renderPath(cost)}`);
out(`\n${renderSummary(costs)}`);
out(`\nprices: ${prices.region}, list prices checked ${prices.checked} (bench/cost/prices-us-east-1.json); functions: ${handlers}`);
out(renderCheck(costs));
const [happy, rejectedOnce] = ['happy', 'rejected-once'].map((id) => costs.find((c) => c.id === id));
if (costs.some((c) => !modelMatchesEngine(c))) process.exitCode = 1;
if (happy && rejectedOnce) out(headline(happy, rejectedOnce));
