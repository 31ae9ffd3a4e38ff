/**
 * Semantics the engine adds to or corrects in aws-local-stepfunctions, on hand-written definitions.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  LocalStepFunctions,
  type LocalStepFunctionsOptions,
} from '../../../../infra/local/step-functions/local-step-functions.ts';
import { namedError } from './approval-harness.ts';

const MACHINE = 'arn:aws:states:local:000000000000:stateMachine:Test';
const FN = 'arn:aws:lambda:local:000000000000:function:Fn';

let engine: LocalStepFunctions | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  vi.useRealTimers();
});

function run(
  definition: object,
  invoke: LocalStepFunctionsOptions['invoke'],
  options: Partial<LocalStepFunctionsOptions> = {},
): { sfn: LocalStepFunctions; executionArn: string } {
  const sfn = new LocalStepFunctions({ stateMachines: [{ arn: MACHINE, definition }], invoke, timeScale: 0.001, ...options });
  engine = sfn;
  const { executionArn } = sfn.startExecution({ stateMachineArn: MACHINE, input: '{"n":1}' });
  return { sfn, executionArn };
}

const taskCaughtOnTaskFailed = {
  StartAt: 'T',
  States: {
    T: {
      Type: 'Task',
      Resource: FN,
      TimeoutSeconds: 1,
      Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Caught' }],
      End: true,
    },
    Caught: { Type: 'Pass', End: true },
  },
};

describe('LocalStepFunctions ASL semantics', () => {
  it('lets States.TaskFailed catch a function error', async () => {
    // Prepare
    const { sfn, executionArn } = run(taskCaughtOnTaskFailed, async () => {
      throw namedError('SiteStillUpError', 'answers 200');
    });

    // Act
    const result = await sfn.waitForExecution(executionArn);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? '')).toEqual({
      n: 1,
      error: { Error: 'SiteStillUpError', Cause: '{"errorType":"SiteStillUpError","errorMessage":"answers 200"}' },
    });
  });

  it('does not let States.TaskFailed catch a task timeout, as in AWS', async () => {
    // Prepare
    const { sfn, executionArn } = run(taskCaughtOnTaskFailed, () => new Promise(() => undefined), { timeoutScale: 0.01 });

    // Act
    const result = await sfn.waitForExecution(executionArn);

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
  });

  it('does not time a Task without TimeoutSeconds out after 60 s (the library default)', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const definition = { StartAt: 'T', States: { T: { Type: 'Task', Resource: FN, End: true } } };
    const { sfn, executionArn } = run(
      definition,
      () => new Promise((resolve) => setTimeout(() => resolve({ done: true }), 10 * 60 * 1000)),
    );

    // Act
    await vi.advanceTimersByTimeAsync(10 * 60 * 1000);

    // Assess
    expect(sfn.describeExecution(executionArn)).toMatchObject({ status: 'SUCCEEDED', output: '{"done":true}' });
  });

  it('runs Lambda tasks inside Parallel branches and Map iterations, each with its own input', async () => {
    // Prepare
    const definition = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          End: true,
          Branches: [
            { StartAt: 'Double', States: { Double: { Type: 'Task', Resource: FN, Parameters: { 'x.$': '$.n' }, End: true } } },
            {
              StartAt: 'Each',
              States: {
                Each: {
                  Type: 'Map',
                  ItemsPath: '$.items',
                  ItemProcessor: {
                    StartAt: 'Item',
                    States: {
                      Item: {
                        Type: 'Task',
                        Resource: 'arn:aws:states:::lambda:invoke',
                        Parameters: { FunctionName: FN, 'Payload.$': '$' },
                        ResultSelector: { 'value.$': '$.Payload' },
                        ResultPath: '$',
                        End: true,
                      },
                    },
                  },
                  End: true,
                },
              },
            },
          ],
        },
      },
    };
    const sfn = new LocalStepFunctions({
      stateMachines: [{ arn: MACHINE, definition }],
      invoke: async (_arn, payload) => ({ doubled: (payload as { x: number }).x * 2 }),
    });
    engine = sfn;

    // Act
    const { executionArn } = sfn.startExecution({
      stateMachineArn: MACHINE,
      input: JSON.stringify({ n: 1, items: [{ x: 2 }, { x: 3 }] }),
    });
    const result = await sfn.waitForExecution(executionArn);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? '')).toEqual([
      { doubled: 2 },
      [{ value: { doubled: 4 } }, { value: { doubled: 6 } }],
    ]);
  });

  it('replaces the input with ResultPath "$" and passes a falsy Result on', async () => {
    // Prepare
    const definition = {
      StartAt: 'Replace',
      States: {
        Replace: { Type: 'Pass', Result: { replaced: true }, ResultPath: '$', Next: 'Flag' },
        Flag: { Type: 'Pass', Result: false, ResultPath: '$.flag', End: true },
      },
    };

    // Act
    const { sfn, executionArn } = run(definition, async () => null);
    const result = await sfn.waitForExecution(executionArn);

    // Assess
    expect(JSON.parse(result.output ?? '')).toEqual({ replaced: true, flag: false });
  });

  it('refuses at start-up what it would run differently from AWS', () => {
    // Prepare
    const jsonata = { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    const sqs = {
      StartAt: 'Q',
      States: { Q: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { QueueUrl: 'q' }, End: true } },
    };
    const make = (definition: object) => () =>
      new LocalStepFunctions({ stateMachines: [{ arn: MACHINE, definition }], invoke: async () => null });

    // Act
    const withJsonata = make(jsonata);
    const withSqs = make(sqs);

    // Assess
    expect(withJsonata).toThrow(/JSONata/);
    expect(withSqs).toThrow(/not supported locally/);
  });
});
