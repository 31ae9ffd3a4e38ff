import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CfnResource } from './synth.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What the bundles depend on: the CDK app, the code it bundles, and the settings and tools that bundle it. */
const INPUTS = ['infra', 'functions', 'shared', 'cdk.json', 'package-lock.json', 'tsconfig.json'];

/** Only the newest synthesis is kept: each holds every bundle and its source map, about 150 MB. */
const CACHE = join(ROOT, 'node_modules', '.cache', 'icp-cancel', 'bundled');

export interface BundledAssembly {
  /** The cloud assembly directory (what `cdk synth` writes to `cdk.out`): the templates and one `asset.*` per bundle. */
  directory: string;
  /** Each stack's template, by stack name. */
  templates: Record<string, { Resources: Record<string, CfnResource> }>;
  /** True when the assembly came from the cache (nothing it depends on had changed since the last synthesis). */
  cached: boolean;
}

function filesUnder(path: string): string[] {
  const full = join(ROOT, path);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [full];
  return readdirSync(full).flatMap((name) => filesUnder(join(path, name)));
}

function inputsHash(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(filesUnder).sort()) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs the CDK app the way `cdk synth` does (its entry point, the CLI's environment), into `outdir`. */
function synth(outdir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'infra/app.ts'],
      {
        cwd: ROOT,
        // The CLI asks for asset metadata (`aws:asset:path`), which ties each function to its bundle.
        env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:enable-asset-metadata': true }) },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 300_000,
      },
      (error, _stdout, stderr) => (error ? reject(new Error(`The bundled synthesis failed: ${error.message}\n${stderr}`)) : resolve()),
    );
  });
}

/**
 * The app synthesized with bundling on: every function bundled by esbuild exactly as `cdk deploy` would upload it
 * (the other infra tests synthesize with bundling off). Bundling every function takes half a minute, so the assembly
 * is kept under `node_modules/.cache` by a hash of everything it is made from, and made again when any of it changes.
 */
export async function synthesizeBundled(): Promise<BundledAssembly> {
  const directory = join(CACHE, inputsHash());
  const cached = existsSync(join(directory, 'manifest.json'));
  if (!cached) {
    mkdirSync(CACHE, { recursive: true });
    const building = `${directory}.${process.pid}.building`;
    await synth(building);
    for (const entry of readdirSync(CACHE)) {
      const builder = /\.(\d+)\.building$/.exec(entry)?.[1];
      const ours = join(CACHE, entry) === building || join(CACHE, entry) === directory;
      if (!ours && !(builder && alive(Number(builder)))) {
        rmSync(join(CACHE, entry), { recursive: true, force: true });
      }
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
  const templates = Object.fromEntries(
    Object.entries(manifest.artifacts)
      .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
      .map(([name, artifact]) => [name, JSON.parse(readFileSync(join(directory, artifact.properties?.templateFile ?? ''), 'utf8'))]),
  );
  return { directory, templates, cached };
}
