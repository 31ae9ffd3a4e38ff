/** The Step Functions API error codes the local engine raises; each is an exception class of `@aws-sdk/client-sfn`. */
export type StepFunctionsErrorCode =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'InvalidArn'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'StateMachineDoesNotExist'
  | 'TaskDoesNotExist'
  | 'ThrottlingException'
  | 'ValidationException';

/**
 * An error of the Step Functions API, as AWS would answer it. Its `name` is the AWS error code (not a name ending in
 * `Error`) because that is what the SDK's exceptions carry, so code written against `SFNClient` reads it the same way;
 * the HTTP server sends it as the `__type` the SDK maps back to its exception class.
 */
export class StepFunctionsApiError extends Error {
  override readonly name: StepFunctionsErrorCode;

  constructor(code: StepFunctionsErrorCode, message: string) {
    super(message);
    this.name = code;
  }
}

/**
 * A failure of a state, as the interpreter sees it: `name` is the Step Functions error name that `Retry` and `Catch`
 * match on, `message` becomes the `Cause`.
 *
 * `isRetryable`/`isCatchable` are read by aws-local-stepfunctions (its own runtime errors carry them); errors that end
 * an execution from outside (stop, shutdown) set both to false so no Retry or Catch of the definition can swallow them.
 */
export class StatesError extends Error {
  readonly isRetryable: boolean;
  readonly isCatchable: boolean;

  constructor(name: string, cause: string, options: { retryable?: boolean; catchable?: boolean } = {}) {
    super(cause);
    this.name = name;
    this.isRetryable = options.retryable ?? true;
    this.isCatchable = options.catchable ?? true;
  }
}

/**
 * The `StatesError` for an error a Lambda handler threw, the way Lambda and Step Functions report it: the error name
 * is the Lambda `errorType` (the thrown error's `name`) and the cause is the JSON `{"errorType","errorMessage"}`.
 */
export function lambdaFunctionError(thrown: unknown): StatesError {
  const errorType = thrown instanceof Error ? thrown.name : 'Error';
  const errorMessage = thrown instanceof Error ? thrown.message : String(thrown);
  return new StatesError(errorType, JSON.stringify({ errorType, errorMessage }));
}
