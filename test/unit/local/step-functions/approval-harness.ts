import {
  LocalStepFunctions,
  type LocalStepFunctionsOptions,
} from '../../../../infra/local/step-functions/local-step-functions.ts';
import {
  localLambdaArn,
  localStateMachineArn,
  readLambdaFunctions,
  readStateMachines,
} from '../../../../infra/local/step-functions/template.ts';
import { ENTRIES, approvalTemplate } from './approval-app.ts';

export type FunctionName = keyof typeof ENTRIES;

/** An in-test Lambda handler; it gets the engine too, to complete its own task token. */
export type TestHandler = (payload: any, sfn: LocalStepFunctions) => unknown;

export interface ApprovalHarness {
  sfn: LocalStepFunctions;
  stateMachineArn: string;
  /** The payloads each function was invoked with, in order. */
  calls: Record<FunctionName, any[]>;
}

/**
 * The approval app's state machine on a `LocalStepFunctions` whose Lambda functions are `handlers` (by entry, as the
 * local runtime routes them); functions not given return `{ ok: true }`. Waits and retries run 1000× faster.
 */
export function approvalHarness(
  handlers: Partial<Record<FunctionName, TestHandler>>,
  options: Partial<Pick<LocalStepFunctionsOptions, 'timeScale' | 'timeoutScale' | 'maxStartingExecutions'>> = {},
): ApprovalHarness {
  const template = approvalTemplate();
  const nameByEntry = new Map<string, FunctionName>(
    Object.entries(ENTRIES).map(([name, entry]) => [entry, name as FunctionName]),
  );
  const nameByArn = new Map(
    [...readLambdaFunctions(template).values()].map((f) => [localLambdaArn(f.logicalId), nameByEntry.get(f.entry)]),
  );
  const [machine] = readStateMachines(template);
  if (!machine) {
    throw new Error('The approval app has no state machine');
  }
  const stateMachineArn = localStateMachineArn(machine.name);
  const calls: Record<FunctionName, any[]> = { prepare: [], requestApproval: [], finish: [] };
  const sfn: LocalStepFunctions = new LocalStepFunctions({
    stateMachines: [{ arn: stateMachineArn, definition: machine.definition }],
    invoke: async (functionArn, payload) => {
      const name = nameByArn.get(functionArn);
      if (!name) {
        throw new Error(`No function ${functionArn}`);
      }
      calls[name].push(payload);
      return (handlers[name] ?? (() => ({ ok: true })))(payload, sfn);
    },
    timeScale: options.timeScale ?? 0.001,
    ...(options.timeoutScale === undefined ? {} : { timeoutScale: options.timeoutScale }),
    ...(options.maxStartingExecutions === undefined ? {} : { maxStartingExecutions: options.maxStartingExecutions }),
  });
  return { sfn, stateMachineArn, calls };
}

/** An error with a name, as the project's tasks throw them. */
export function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Resolves once `predicate` holds, polling every millisecond (for a token that a task receives asynchronously). */
export async function until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) {
      throw new Error('Condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
