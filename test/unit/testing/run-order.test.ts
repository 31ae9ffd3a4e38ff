import type { TestSpecification, Vitest } from 'vitest/node';
import { describe, expect, it } from 'vitest';
import { runOrder } from '../../support/run-order.ts';

const ROOT = '/repo';

/** A file of a project as the sequencer sees it (no cached results or sizes: a clean clone's first run). */
function spec(project: string, file: string): TestSpecification {
  return { moduleId: `${ROOT}/${file}`, project: { name: project, config: { sequence: { groupOrder: 0 }, isolate: false } } } as unknown as TestSpecification;
}

const ctx = { config: { root: ROOT }, cache: { getFileTestResults: () => undefined, getFileStats: () => undefined } } as unknown as Vitest;

/** `npm test`'s order (vitest.config.ts): whole-system files, then the files that read the bundles, then the rest. */
describe('the order npm test runs its files in', () => {
  it('runs the whole-system files first, the bundle readers next, then infra and unit, each part in vitest’s own order', async () => {
    // Prepare
    const Order = runOrder(['test/system/bundled.test.ts', 'test/infra/error-names.test.ts']);
    const files = [
      spec('unit', 'test/unit/a.test.ts'),
      spec('infra', 'test/infra/error-names.test.ts'),
      spec('system', 'test/system/bundled.test.ts'),
      spec('infra', 'test/infra/data-stack.test.ts'),
      spec('system', 'test/system/lifecycle.test.ts'),
      spec('at 2026-12-31', 'test/system/lifecycle.test.ts'),
      spec('at 2026-12-31', 'test/unit/use-cases/review-tasks.test.ts'),
    ];

    // Act
    const sorted = await new Order(ctx).sort(files);

    // Assess
    expect(sorted.map((s) => `${s.project.name}:${s.moduleId.slice(ROOT.length + 1)}`)).toEqual([
      'at 2026-12-31:test/system/lifecycle.test.ts',
      'system:test/system/lifecycle.test.ts',
      'infra:test/infra/error-names.test.ts',
      'system:test/system/bundled.test.ts',
      'at 2026-12-31:test/unit/use-cases/review-tasks.test.ts',
      'infra:test/infra/data-stack.test.ts',
      'unit:test/unit/a.test.ts',
    ]);
  });
});
