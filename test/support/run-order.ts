import { relative } from 'node:path';
import { BaseSequencer, type TestSequencerConstructor, type TestSpecification } from 'vitest/node';

/**
 * The order `npm test` runs its files in, for the shortest run on two cores: the whole-system files first (the longest:
 * the short unit files then fill the end of the run, when one worker may already be idle), then the files that read
 * the bundled app (`readsBundles`), then the rest (infra and unit). The bundled app is built by `bundle-ahead.ts`
 * beside the first part, so that its readers find it done instead of holding both workers while it builds, which cost
 * a clean clone 100 s of its run. Within each part, vitest's own order: its projects by name, then the files that took
 * longest in the last run, or else the largest.
 */
export function runOrder(readsBundles: readonly string[]): TestSequencerConstructor {
  const bundles = new Set(readsBundles);
  return class RunOrder extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const part = (spec: TestSpecification): number => {
        const file = relative(this.ctx.config.root, spec.moduleId).replaceAll('\\', '/');
        if (bundles.has(file)) return 1;
        return file.startsWith('test/system/') ? 0 : 2;
      };
      const sorted = await super.sort(files);
      return sorted
        .map((spec, index) => ({ spec, index, part: part(spec) }))
        .sort((a, b) => a.part - b.part || a.index - b.index)
        .map(({ spec }) => spec);
    }
  };
}
