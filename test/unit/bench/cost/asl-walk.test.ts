import { describe, expect, it } from 'vitest';
import { PathError, walkMachine } from '../../../../bench/cost/asl-walk.ts';

const task = (next: string | undefined, extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  ...(next === undefined ? { End: true } : { Next: next }),
  ...extra,
});

/** Load → Route (submitted → Probe → Decide → After; rejected → Await → Load …) → Done, shaped like the review. */
const review = {
  StartAt: 'Load',
  States: {
    Load: task('Route'),
    Route: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.status', StringEquals: 'submitted', Next: 'Probe' },
        { Variable: '$.status', StringEquals: 'rejected', Next: 'Await' },
      ],
      Default: 'Done',
    },
    Probe: task('Decide'),
    Decide: task('After', { Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Overdue' }] }),
    Overdue: task('Decide'),
    After: { Type: 'Choice', Choices: [{ Variable: '$.status', StringEquals: 'rejected', Next: 'Await' }], Default: 'Done' },
    Await: task('Load'),
    Done: { Type: 'Succeed' },
  },
};

describe('walkMachine', () => {
  it('counts one transition per state entered, Choice and Succeed included', () => {
    // Act
    const walk = walkMachine(review, { choices: { Route: ['submitted'], After: ['approved'] } });

    // Assess
    expect(walk.trace).toEqual(['Load', 'Route', 'Probe', 'Decide', 'After', 'Done']);
    expect(walk.transitions).toBe(6);
    expect(walk).toMatchObject({ end: 'succeeded' });
  });

  it('follows a loop with the values each Choice sees on each visit, in order', () => {
    // Act
    const walk = walkMachine(review, { choices: { Route: ['submitted', 'submitted'], After: ['rejected', 'approved'] } });

    // Assess
    expect(walk.trace).toEqual(['Load', 'Route', 'Probe', 'Decide', 'After', 'Await', 'Load', 'Route', 'Probe', 'Decide', 'After', 'Done']);
    expect(walk.byState).toMatchObject({ Load: 2, Route: 2, After: 2, Await: 1, Done: 1 });
  });

  it('routes a Task error to its Catch', () => {
    // Act
    const walk = walkMachine(review, { choices: { Route: ['submitted'], After: ['approved'] }, outcomes: { Decide: ['States.Timeout', 'ok'] } });

    // Assess
    expect(walk.trace).toEqual(['Load', 'Route', 'Probe', 'Decide', 'Overdue', 'Decide', 'After', 'Done']);
  });

  it('counts a transition for every retry, up to the first matching retrier’s MaxAttempts, then catches', () => {
    // Prepare
    const machine = {
      StartAt: 'Deliver',
      States: {
        Deliver: task('Delivered', {
          Retry: [
            { ErrorEquals: ['Final'], MaxAttempts: 0 },
            { ErrorEquals: ['States.ALL'], MaxAttempts: 2 },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'GiveUp' }],
        }),
        Delivered: { Type: 'Succeed' },
        GiveUp: task('GaveUp'),
        GaveUp: { Type: 'Fail', Error: 'DeliveryFailed' },
      },
    };

    // Act
    const once = walkMachine(machine, { outcomes: { Deliver: ['Failed', 'ok'] } });
    const exhausted = walkMachine(machine, { outcomes: { Deliver: ['Failed', 'Failed', 'Failed'] } });
    const final = walkMachine(machine, { outcomes: { Deliver: ['Final'] } });

    // Assess
    expect(once.trace).toEqual(['Deliver', 'Deliver (retry)', 'Delivered']);
    expect(once.byState).toEqual({ Deliver: 2, Delivered: 1 });
    expect(exhausted.trace).toEqual(['Deliver', 'Deliver (retry)', 'Deliver (retry)', 'GiveUp', 'GaveUp']);
    expect(exhausted).toMatchObject({ transitions: 5, end: 'failed', error: 'DeliveryFailed' });
    expect(final.trace).toEqual(['Deliver', 'GiveUp', 'GaveUp']);
  });

  it('defaults MaxAttempts to 3, and matches States.TaskFailed on anything but a timeout', () => {
    // Prepare
    const machine = {
      StartAt: 'Work',
      States: { Work: task(undefined, { Retry: [{ ErrorEquals: ['States.TaskFailed'] }] }) },
    };

    // Act
    const failed = walkMachine(machine, { outcomes: { Work: ['Boom', 'Boom', 'Boom', 'Boom'] } });
    const timedOut = walkMachine(machine, { outcomes: { Work: ['States.Timeout'] } });

    // Assess
    expect(failed).toMatchObject({ transitions: 4, end: 'failed', error: 'Boom' });
    expect(timedOut).toMatchObject({ transitions: 1, end: 'failed', error: 'States.Timeout' });
  });

  it('counts the states of every Parallel branch and of every Map iteration', () => {
    // Prepare
    const machine = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Next: 'Each',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'A2' }, A2: { Type: 'Pass', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Wait', Seconds: 1, End: true } } },
          ],
        },
        Each: { Type: 'Map', End: true, ItemProcessor: { StartAt: 'Item', States: { Item: task(undefined) } } },
      },
    };

    // Act
    const walk = walkMachine(machine, { mapItems: { Each: [3] } });

    // Assess
    expect(walk.trace).toEqual(['Both', 'A', 'A2', 'B', 'Each', 'Item', 'Item', 'Item']);
    expect(walk.transitions).toBe(8);
  });

  it('reads a Choice over several variables from an object of values, with Boolean, Numeric and And rules', () => {
    // Prepare
    const machine = {
      StartAt: 'More',
      States: {
        More: {
          Type: 'Choice',
          Choices: [
            { And: [{ Variable: '$.done', BooleanEquals: true }, { Variable: '$.rows', NumericGreaterThan: 0 }], Next: 'Finish' },
          ],
          Default: 'Chunk',
        },
        Chunk: task('More'),
        Finish: { Type: 'Succeed' },
      },
    };

    // Act
    const walk = walkMachine(machine, {
      choices: { More: [{ '$.done': false, '$.rows': 0 }, { '$.done': true, '$.rows': 10 }] },
    });

    // Assess
    expect(walk.trace).toEqual(['More', 'Chunk', 'More', 'Finish']);
  });

  it('refuses a path that does not say how a Choice goes, or that never ends', () => {
    // Act
    const missing = () => walkMachine(review, { choices: { Route: ['submitted'] } });
    const several = () => walkMachine({ StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ And: [{ Variable: '$.a', IsPresent: true }, { Variable: '$.b', IsPresent: true }], Next: 'S' }], Default: 'S' }, S: { Type: 'Succeed' } } }, { choices: { C: ['x'] } });
    const endless = () => walkMachine({ StartAt: 'P', States: { P: { Type: 'Pass', Next: 'P' } } }, {});

    // Assess
    expect(missing).toThrow(new PathError('Choice After: the path gives no value for visit 1'));
    expect(several).toThrow(/give an object of values/);
    expect(endless).toThrow(/never ends/);
  });
});
