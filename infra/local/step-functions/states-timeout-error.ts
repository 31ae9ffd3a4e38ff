/**
 * A factory of the library's own `States.Timeout` error.
 *
 * aws-local-stepfunctions lets `States.TaskFailed` in a Retry or Catch match every Task error except its own
 * `StatesTimeoutError` (`instanceof`), as AWS does (TaskFailed never matches a timeout). The class is not exported, so
 * a timeout the engine raises itself would be caught by `States.TaskFailed`. This module gets the class once, at load,
 * from a one-millisecond Task timeout of a throwaway machine (the failed execution carries the error as its `cause`).
 */
import './promise-with-resolvers.ts';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { StatesError } from './errors.ts';

type ErrorConstructor = new () => Error;

async function findStatesTimeoutErrorClass(): Promise<ErrorConstructor | undefined> {
  const probe = {
    StartAt: 'Probe',
    States: { Probe: { Type: 'Task', Resource: 'arn:aws:lambda:local:000000000000:function:Probe', TimeoutSeconds: 0.001, End: true } },
  } as unknown as StateMachineDefinition;
  const execution = new StateMachine(probe, { validationOptions: { noValidate: true } }).run(null, {
    overrides: { taskResourceLocalHandlers: { Probe: () => new Promise(() => undefined) } },
  });
  try {
    await execution.result;
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause instanceof Error && cause.name === 'States.Timeout') {
      return cause.constructor as ErrorConstructor;
    }
  }
  return undefined;
}

const StatesTimeoutErrorClass = await findStatesTimeoutErrorClass();

/**
 * A new `States.Timeout` failure for a Task state; the library's own class when it could be found (see above), else
 * an equivalent error that `States.TaskFailed` would also match.
 */
export function statesTimeoutError(): Error {
  return StatesTimeoutErrorClass ? new StatesTimeoutErrorClass() : new StatesError('States.Timeout', 'States.Timeout');
}
