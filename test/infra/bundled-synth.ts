import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesizeBundled as synthesizeBundledApp } from '../../infra/local/synthesize.ts';
import type { CfnResource } from './synth.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BundledAssembly {
  /** The cloud assembly directory (what `cdk synth` writes to `cdk.out`): the templates and one `asset.*` per bundle. */
  directory: string;
  /** Each stack's template, by stack name. */
  templates: Record<string, { Resources: Record<string, CfnResource> }>;
  /** True when the assembly came from the cache (nothing it depends on had changed since the last synthesis). */
  cached: boolean;
}

/**
 * The app synthesized with bundling on, every function bundled by esbuild exactly as `cdk deploy` would upload it (the
 * other infra tests synthesize with bundling off): the local runtime's cached synthesis (`synthesizeBundled` in
 * `infra/local/synthesize.ts`), which `LOCAL_HANDLERS=bundled` runs too.
 */
export async function synthesizeBundled(): Promise<BundledAssembly> {
  const { directory, templates, cached } = await synthesizeBundledApp(ROOT, join(ROOT, 'node_modules', '.cache', 'icp-cancel'));
  return { directory, templates: templates as BundledAssembly['templates'], cached };
}
