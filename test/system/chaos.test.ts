import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `npm run chaos` in short (README "Chaos run"): the same script, as a process of its own, with its one kill of the
 * runtime and few enough applications to take about a minute: 10 rows over 2 batches and 4 single applications, whose
 * plan from seed 32 takes every path once at least (approved, corrected and approved, rejected to the end, withdrawn as
 * a draft and after a rejection, a refused row; website and access cancellations). It must pass every check and say
 * so on its one summary line.
 */
describe('the chaos run', () => {
  it('loses, duplicates and strands nothing through faults, a receiver that fails and a kill of the runtime', () => {
    // Act
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'chaos/main.ts', ...['--seed', '32', '--rows', '10', '--batches', '2', '--applications', '4', '--chunk-rows', '2', '--down', '2', '--timeout', '240']],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000 },
    );

    // Assess: the progress and every failed check are on stderr, shown when it fails
    const summary = run.stdout.trim().split('\n').at(-1) ?? '';
    expect({ status: run.status, summary, stderr: run.status === 0 ? '' : run.stderr }).toEqual({
      status: 0,
      summary:
        'chaos: seed 32, 10 rows + 4 applications, 1 kill: lost 0, duplicated 0, not final 0, wrong outcome 0, count mismatches 0, ' +
        'report mismatches 0, event gaps 0, undelivered 0, bad signatures 0, dead letters 0 — PASS',
      stderr: '',
    });
  }, 310_000);
});
