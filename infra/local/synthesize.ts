import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
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

function inputsHash(root: string): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((p) => filesUnder(root, p)).sort()) {
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
  const file = join(cacheDir, `templates-${inputsHash(root)}.json`);
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
