/**
 * `npm run bench:cold`: how long each deployed function's bundle takes to import (the part of a Lambda cold start the
 * code decides), next to a lean handler that imports only the DynamoDB document client. Prints figures; not a test.
 *
 *   npm run bench:cold                     7 rounds, source maps off (as the functions run by default)
 *   npm run bench:cold -- --rounds 11      more rounds, steadier medians
 *   npm run bench:cold -- --source-maps    every import with `--enable-source-maps`, both sides
 *   npm run bench:cold -- --only http/get  only the functions whose entry contains one of these (comma-separated)
 *   npm run bench:cold -- --assembly cdk.out   the bundles of a cloud assembly made before (`npm run synth`, a copy)
 *
 * The bundles are the ones `cdk deploy` would upload (the app synthesized with bundling, cached while its inputs are
 * unchanged). The baseline (`bench/fixtures/lean-handler.ts`) is bundled by the same `AppFunction`, so with the same
 * esbuild options. Each import runs in a fresh Node process and times `await import(bundle)` alone (not Node's own
 * start-up). Every round runs each function once right after or right before one run of the baseline (the order
 * alternates), so a busy moment of the machine weighs on both sides of a ratio; the ratio of a function is the median
 * of its per-round ratios.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { CfnElement } from 'aws-cdk-lib';
import { REPO_ROOT } from '../infra/constructs/app-function.ts';
import { synthesizeBundled } from '../test/infra/bundled-synth.ts';
import type { CfnResource } from '../test/infra/synth.ts';
import { median } from './table.ts';

const TARGET_RATIO = 1.3;
const BASELINE_ENTRY = 'bench/fixtures/lean-handler.ts';
/** Rows measured like functions but not part of the app: floors that say what a function's own clients cost. */
const REFERENCE_ENTRIES = { 'reference: DynamoDB + S3 clients only': 'bench/fixtures/s3-reference-handler.ts' };

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    'source-maps': { type: 'boolean', default: false },
    only: { type: 'string' },
    assembly: { type: 'string' },
  },
});
const ROUNDS = Number(args.rounds);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds takes a positive integer');
const SOURCE_MAPS = args['source-maps'];
const ONLY = args.only?.split(',').map((s) => s.trim()).filter(Boolean);

const say = (line: string) => process.stderr.write(`${line}\n`);

interface Bundle {
  /** The entry without `functions/` and `.ts`, e.g. `http/get-application`. */
  name: string;
  file: string;
  bytes: number;
}

/** Every function of the synthesized app and its bundle (`index.mjs` in the asset its `aws:asset:path` names). */
async function functionBundles(): Promise<Bundle[]> {
  const started = Date.now();
  const assembly = args.assembly ? { ...readAssembly(resolve(args.assembly)), cached: true } : await synthesizeBundled();
  const how = args.assembly ? 'read' : assembly.cached ? 'cached' : 'synthesized';
  say(`bundles: ${how} in ${((Date.now() - started) / 1000).toFixed(1)} s (${assembly.directory})`);
  return Object.values(assembly.templates)
    .flatMap(({ Resources }) => Object.values(Resources))
    .filter((r) => r.Type === 'AWS::Lambda::Function' && typeof r.Metadata?.['icp:entry'] === 'string')
    .map((r) => {
      const entry = r.Metadata?.['icp:entry'] as string;
      const file = join(assembly.directory, r.Metadata?.['aws:asset:path'] as string, 'index.mjs');
      return { name: entry.replace(/^functions\//, '').replace(/\.ts$/, ''), file, bytes: statSync(file).size };
    })
    .filter((b) => !ONLY || ONLY.some((o) => b.name.includes(o)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A cloud assembly on disk: its stacks' templates, by the names its manifest gives them. */
function readAssembly(directory: string): { directory: string; templates: Record<string, { Resources: Record<string, CfnResource> }> } {
  const manifest = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stacks = Object.entries(manifest.artifacts).filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack');
  const templates = Object.fromEntries(
    stacks.map(([name, artifact]) => [name, JSON.parse(readFileSync(join(directory, artifact.properties?.templateFile ?? ''), 'utf8'))]),
  );
  return { directory, templates };
}

/**
 * The baseline and the reference rows, bundled by AppFunction itself (the same esbuild options as every function), in
 * a temporary folder.
 */
async function fixtureBundles(outdir: string): Promise<{ baseline: Bundle; references: Bundle[] }> {
  const [{ App, Stack }, { AppFunction }] = await Promise.all([import('aws-cdk-lib'), import('../infra/constructs/app-function.ts')]);
  const { context } = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  // Asset metadata names each function's bundle folder in the template, as in the app's own bundled synth.
  const app = new App({ outdir, context: { ...context, 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'ColdStartBaseline');
  const fixtures = [['baseline (DynamoDB document client only)', BASELINE_ENTRY], ...Object.entries(REFERENCE_ENTRIES)];
  const functions = fixtures.map(([name, entry], i) => ({ name, fn: new AppFunction(stack, `Fixture${i}`, { entry: entry as string }) }));
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, CfnResource> };
  const bundles = functions.map(({ name, fn }) => {
    const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
    const assetPath = template.Resources[logicalId]?.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') throw new Error(`${name} was not bundled`);
    const file = join(assembly.directory, assetPath, 'index.mjs');
    return { name: name as string, file, bytes: statSync(file).size };
  });
  const [baseline, ...references] = bundles as [Bundle, ...Bundle[]];
  return { baseline, references };
}

/** Milliseconds one fresh Node process takes to import the bundle (timed inside the process, start-up excluded). */
function importMs(bundle: Bundle): number {
  const script = 'const t=performance.now();await import(process.argv[1]);process.stdout.write(String(performance.now()-t));';
  const out = execFileSync(
    process.execPath,
    [...(SOURCE_MAPS ? ['--enable-source-maps'] : []), '--input-type=module', '-e', script, pathToFileURL(bundle.file).href],
    {
      // What Lambda sets, minus NODE_OPTIONS: source maps only when asked for, on both sides. The execution environment
      // and task root too, which libraries read at import: the X-Ray SDK of a bundle built with SDK tracing starts its
      // Lambda mode on LAMBDA_TASK_ROOT, and Powertools' Tracer traces only where AWS_EXECUTION_ENV is set.
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'eu-west-1',
        TABLE_NAME: 'icp-cancel',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        LAMBDA_TASK_ROOT: dirname(bundle.file),
        _HANDLER: 'index.handler',
      },
      encoding: 'utf8',
    },
  );
  const ms = Number(out);
  if (!Number.isFinite(ms)) throw new Error(`Importing ${bundle.name} printed ${JSON.stringify(out)}`);
  return ms;
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

const kib = (bytes: number) => `${Math.round(bytes / 1024)}`;
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

const outdir = mkdtempSync(join(tmpdir(), 'icp-cold-start-'));
try {
  const functions = await functionBundles();
  if (functions.length === 0) throw new Error(`No function matches --only ${args.only}`);
  const { baseline, references } = await fixtureBundles(outdir);
  const bundles = [...functions, ...references];
  say(`${functions.length} functions (+${references.length} reference), ${ROUNDS} rounds, source maps ${SOURCE_MAPS ? 'ON (--enable-source-maps)' : 'off'}, Node ${process.version}; load ${load()}`);

  // Warm the file cache and Node's own start-up paths once; not counted.
  importMs(baseline);
  for (const bundle of bundles) importMs(bundle);

  const baselineRuns: number[] = [];
  const runs = new Map<string, { ms: number[]; ratios: number[] }>(bundles.map((b) => [b.name, { ms: [], ratios: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, bundle] of shuffled(bundles).entries()) {
      const baseFirst = (round + i) % 2 === 0;
      const a = baseFirst ? importMs(baseline) : importMs(bundle);
      const b = baseFirst ? importMs(bundle) : importMs(baseline);
      const [base, fn] = baseFirst ? [a, b] : [b, a];
      baselineRuns.push(base);
      const r = runs.get(bundle.name) as { ms: number[]; ratios: number[] };
      r.ms.push(fn);
      r.ratios.push(fn / base);
    }
    say(`round ${round + 1}/${ROUNDS} done (load ${load()})`);
  }

  const baseMs = median(baselineRuns);
  const rowOf = (b: Bundle) => {
    const r = runs.get(b.name) as { ms: number[]; ratios: number[] };
    return { name: b.name, kib: kib(b.bytes), ms: median(r.ms), ratio: median(r.ratios) };
  };
  const rows = functions.map(rowOf);
  const referenceRows = references.map(rowOf);
  const header = ['function', 'KiB', 'import ms', 'ratio', `≤ ${TARGET_RATIO}×`];
  const lines = [
    ...rows.map((r) => [r.name, r.kib, r.ms.toFixed(1), `${r.ratio.toFixed(2)}×`, r.ratio <= TARGET_RATIO ? 'yes' : 'NO']),
    ...referenceRows.map((r) => [r.name, r.kib, r.ms.toFixed(1), `${r.ratio.toFixed(2)}×`, '']),
    [baseline.name, kib(baseline.bytes), baseMs.toFixed(1), '1.00×', ''],
  ];
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => (l[c] as string).length)));
  const format = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ');
  const rule = '-'.repeat(widths.reduce((sum, w) => sum + w + 2, -2));
  const met = rows.filter((r) => r.ratio <= TARGET_RATIO).length;
  const sizes = rows.map((r) => Number(r.kib));
  const ratios = rows.map((r) => r.ratio);
  process.stdout.write(
    [
      `machine: ${cpus()[0]?.model.trim() ?? '?'}, ${availableParallelism()} cores, load ${load()}; Node ${process.version}; source maps ${SOURCE_MAPS ? 'on' : 'off'}; medians of ${ROUNDS} rounds`,
      rule,
      format(header),
      rule,
      ...lines.map(format),
      rule,
      `bundles ${Math.min(...sizes)}–${Math.max(...sizes)} KiB; ratios ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}× (baseline ${baseMs.toFixed(1)} ms, ${kib(baseline.bytes)} KiB)`,
      `${met} of ${rows.length} functions import within ${TARGET_RATIO}× of the baseline`,
      '',
    ].join('\n'),
  );
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
