import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { DATA_STACK_NAME, SERVICE_STACK_NAME } from '../stack-names.ts';
import type { CfnTemplate } from './step-functions/template.ts';

export interface SynthesizedTemplates {
  data: CfnTemplate;
  service: CfnTemplate;
  /** True when the templates came from the cache (the infra code had not changed since the last synth). */
  cached: boolean;
}

/** The sources whose change can change the templates (the constructs take the Retry/Catch error names from errors.ts). */
const INPUTS = [
  'infra/app.ts',
  'infra/build-app.ts',
  'infra/stack-names.ts',
  'infra/constructs',
  'infra/stacks',
  'shared/domain/errors.ts',
  'cdk.json',
  'package-lock.json',
];

function filesUnder(root: string, path: string): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [full];
  return readdirSync(full).flatMap((name) => filesUnder(root, join(path, name)));
}

function inputsHash(root: string, inputs: string[]): string {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap((p) => filesUnder(root, p)).sort()) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Synthesizes the CDK app in-process, with bundling off, and returns the two stacks' templates — the same ones
 * `cdk synth` writes, so the local runtime runs exactly the state machines, routes and wiring that AWS would.
 *
 * Loading aws-cdk-lib and synthesizing costs several seconds, so the templates are cached in `cacheDir` under a hash
 * of the infra sources (and the lock file): a start with unchanged infra code reads them back in milliseconds.
 */
export async function synthesizeTemplates(root: string, cacheDir: string): Promise<SynthesizedTemplates> {
  const file = join(cacheDir, `templates-${inputsHash(root, INPUTS)}.json`);
  if (existsSync(file)) return { ...(JSON.parse(readFileSync(file, 'utf8')) as Omit<SynthesizedTemplates, 'cached'>), cached: true };
  const [{ App }, { buildApp, DATA_STACK_NAME, SERVICE_STACK_NAME }] = await Promise.all([
    import('aws-cdk-lib'),
    import('../build-app.ts'),
  ]);
  // CDK's own CloudFormation validation costs ~4 s and checks nothing the local runtime relies on.
  const { app } = buildApp(
    new App({ context: { 'aws:cdk:bundling-stacks': [] }, outdir: join(cacheDir, 'cdk.out'), builtinCloudFormationValidation: false }),
  );
  const assembly = app.synth();
  const templates = {
    data: assembly.getStackByName(DATA_STACK_NAME).template as CfnTemplate,
    service: assembly.getStackByName(SERVICE_STACK_NAME).template as CfnTemplate,
  };
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(file, JSON.stringify(templates));
  return { ...templates, cached: false };
}

/** The app synthesized with bundling on: what `cdk synth` writes to `cdk.out`. */
export interface BundledAssembly extends Omit<SynthesizedTemplates, 'cached'> {
  /** The cloud assembly directory: the templates, and one `asset.*` directory per bundle. */
  directory: string;
  /** Every stack's template, by stack name (`data` and `service` among them). */
  templates: Record<string, CfnTemplate>;
  /** True when the assembly came from the cache (nothing it is made from had changed since the last synthesis). */
  cached: boolean;
}

/**
 * What the bundles are made from: the CDK app, the code it bundles, and the settings and tools that bundle it. The
 * local runtime (`infra/local`) and the admin command are not part of the app: editing them bundles nothing again.
 */
const BUNDLED_INPUTS = [...INPUTS, 'functions', 'shared', 'tsconfig.json'];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether a live process other than this one is building `directory` (`<directory>.<pid>.building`). */
function otherBuilder(cache: string, directory: string): boolean {
  if (!existsSync(cache)) return false;
  return readdirSync(cache).some((entry) => {
    const pid = Number(/\.(\d+)\.building$/.exec(entry)?.[1]);
    return join(cache, entry).startsWith(`${directory}.`) && pid !== process.pid && alive(pid);
  });
}

/** Runs the CDK app the way `cdk synth` does (its entry point, the CLI's environment), into `outdir`. */
function synthInChildProcess(root: string, outdir: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'infra/app.ts'],
      {
        cwd: root,
        // The CLI asks for asset metadata (`aws:asset:path`), which ties each function to its bundle. The functions are
        // in the data and service stacks; the console stack's asset (the console built by Vite) is nothing the local
        // runtime runs, so it is not built here.
        env: {
          ...process.env,
          // The project's esbuild run directly rather than through npx (`npx-shim/npx` says why).
          PATH: `${join(root, 'infra', 'local', 'npx-shim')}${delimiter}${process.env.PATH ?? ''}`,
          ICP_ESBUILD: join(root, 'node_modules', '.bin', 'esbuild'),
          CDK_OUTDIR: outdir,
          CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:bundling-stacks': [DATA_STACK_NAME, SERVICE_STACK_NAME] }),
        },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 300_000,
        ...(signal ? { signal } : {}),
      },
      (error, _stdout, stderr) => (error ? reject(new Error(`The bundled synthesis failed: ${error.message}\n${stderr}`)) : resolve()),
    );
  });
}

/**
 * Synthesizes the CDK app with bundling on, in a child process, exactly as `cdk synth` does: every function bundled by
 * esbuild as `cdk deploy` would upload it. The local runtime runs these bundles with `LOCAL_HANDLERS=bundled`, and the
 * infra tests of the bundles read them.
 *
 * Bundling every function takes half a minute, so the assembly is kept in `<cacheDir>/bundled/<hash>` by a hash of
 * everything it is made from, and made again when any of it changes. Only the newest is kept (each holds every bundle
 * and its source map, about 90 MB); one that another process is still building is left alone. A synthesis that fails
 * (or that `signal` stops) leaves nothing behind, so that a process waiting for it builds the assembly itself.
 */
export async function synthesizeBundled(root: string, cacheDir: string, options: { signal?: AbortSignal } = {}): Promise<BundledAssembly> {
  const cache = join(cacheDir, 'bundled');
  const directory = join(cache, inputsHash(root, BUNDLED_INPUTS));
  const built = () => existsSync(join(directory, 'manifest.json'));
  // Another process bundling the same inputs (npm test's infra and system tests start together): wait for its result
  // rather than bundling everything a second time on the same cores.
  while (!built() && otherBuilder(cache, directory)) await new Promise((resolve) => setTimeout(resolve, 500));
  const cached = built();
  if (!cached) {
    mkdirSync(cache, { recursive: true });
    const building = `${directory}.${process.pid}.building`;
    try {
      await synthInChildProcess(root, building, options.signal);
    } catch (error) {
      rmSync(building, { recursive: true, force: true });
      throw error;
    }
    for (const entry of readdirSync(cache)) {
      const builder = /\.(\d+)\.building$/.exec(entry)?.[1];
      const ours = join(cache, entry) === building || join(cache, entry) === directory;
      if (!ours && !(builder && alive(Number(builder)))) rmSync(join(cache, entry), { recursive: true, force: true });
    }
    try {
      renameSync(building, directory);
    } catch (error) {
      // Another run made the same assembly meanwhile (same inputs, same bundles): keep theirs.
      if (!existsSync(join(directory, 'manifest.json'))) throw error;
      rmSync(building, { recursive: true, force: true });
    }
  }
  const manifest = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const templates: Record<string, CfnTemplate> = Object.fromEntries(
    Object.entries(manifest.artifacts)
      .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
      .map(([name, artifact]) => [name, JSON.parse(readFileSync(join(directory, artifact.properties?.templateFile ?? ''), 'utf8'))]),
  );
  const [data, service] = [templates[DATA_STACK_NAME], templates[SERVICE_STACK_NAME]];
  if (!data || !service) throw new Error(`The assembly in ${directory} lacks ${DATA_STACK_NAME} or ${SERVICE_STACK_NAME}`);
  return { directory, templates, data, service, cached };
}
