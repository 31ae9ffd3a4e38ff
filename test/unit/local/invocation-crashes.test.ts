import { describe, expect, it } from 'vitest';
import { parseFaultPlan } from '../../../shared/adapters/faults/fault-plan.ts';
import { invocationCrashes, withCrashes } from '../../../infra/local/invocation-crashes.ts';

describe('invocationCrashes', () => {
  it('is off without lambda crashes in the plan', () => {
    // Act & Assess
    expect(invocationCrashes(undefined)).toBeUndefined();
    expect(invocationCrashes(parseFaultPlan('s3:5xx:0.5'))).toBeUndefined();
  });

  it('crashes about p of the invocations, half before the handler (nothing done), half after it (its work done, its answer lost)', async () => {
    // Prepare
    const draw = invocationCrashes(parseFaultPlan('lambda:crash:0.2,seed:9'));
    let handled = 0;
    const outcomes = { ok: 0, before: 0, after: 0 };

    // Act
    for (let i = 0; i < 1000; i++) {
      const ranBefore = handled;
      await withCrashes(draw, 'Fn', async () => {
        handled += 1;
        return 'done';
      }).then(
        (result) => {
          expect(result).toBe('done');
          outcomes.ok += 1;
        },
        (error: Error) => {
          expect(error.name).toBe('Runtime.ExitError');
          outcomes[handled === ranBefore ? 'before' : 'after'] += 1;
        },
      );
    }

    // Assess
    expect(outcomes.before + outcomes.after).toBeGreaterThan(150);
    expect(outcomes.before + outcomes.after).toBeLessThan(250);
    expect(outcomes.before).toBeGreaterThan(60);
    expect(outcomes.after).toBeGreaterThan(60);
    expect(handled).toBe(outcomes.ok + outcomes.after);
  });
});
