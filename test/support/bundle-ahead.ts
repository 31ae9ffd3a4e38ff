import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { synthesizeBundled } from '../../infra/local/synthesize.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One bundling for the whole run, whichever of the projects that name this setup starts it (each loads it afresh). */
const BUNDLING = Symbol.for('icp-cancel.test.bundle-ahead');
type Holder = { [BUNDLING]?: { done: Promise<unknown>; stop: AbortController } };

/**
 * Global setup of the projects with tests that read the bundled app (infra, system): starts its synthesis with
 * bundling on (`synthesizeBundled`, 75 s of a clean clone's two cores, unless the cache has it) in the background
 * as the workers start, instead of when the first such test asks for it. A test that asks meanwhile waits for this
 * build (it sees the build under way in the cache folder) rather than starting another. A failed build is not
 * reported here: the tests that read the bundles build it again and fail with its error. A run that ends before the
 * build (none of its files read the bundles) stops it.
 */
export default function bundleAhead(project: TestProject): () => Promise<void> {
  const holder = globalThis as Holder;
  if (!holder[BUNDLING]) {
    const stop = new AbortController();
    const done = synthesizeBundled(REPO_ROOT, join(REPO_ROOT, 'node_modules', '.cache', 'icp-cancel'), { signal: stop.signal }).catch(
      (error: unknown) => {
        if (!stop.signal.aborted) project.vitest.logger.warn(`bundle-ahead: the bundled synthesis failed; the tests that read it build it again (${String(error)})`);
      },
    );
    holder[BUNDLING] = { done, stop };
  }
  const { done, stop } = holder[BUNDLING];
  return async () => {
    stop.abort();
    await done;
  };
}
