/**
 * The local Step Functions engine: runs the CDK app's state machines with aws-local-stepfunctions, hands every Lambda
 * task to the real handler in-process, and keeps executions and task tokens so that the subset of the Step Functions
 * API the application uses (see `sfn-api-server.ts`) behaves as AWS Standard workflows do.
 */
import './promise-with-resolvers.ts';
import { randomUUID } from 'node:crypto';
import { ExecutionError, type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { StatesError, StepFunctionsApiError, lambdaFunctionError } from './errors.ts';
import { type LongTimer, setLongTimeout } from './long-timer.ts';
import {
  type LocalTaskParameters,
  type LocalTaskSpec,
  type PreparedDefinition,
  RENEW_ERROR,
  prepareDefinition,
} from './prepare-definition.ts';
import { TaskAttempt } from './task-attempt.ts';
import { executionOfTaskToken, isWellFormedTaskToken, mintTaskToken } from './task-token.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface LocalStepFunctionsOptions {
  stateMachines: { arn: string; definition: object }[];
  /** Invokes a Lambda function in-process; `functionArn` as written in the ASL after resolution. */
  invoke: (functionArn: string, payload: unknown) => Promise<unknown>;
  /** Multiplies every Wait duration and Retry interval (tests use e.g. 0.001). Default 1. */
  timeScale?: number;
  /** Multiplies every Task timeout, heartbeat and execution timeout. Default 1. */
  timeoutScale?: number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
  /**
   * The time in milliseconds, as the functions' clock port tells it (the runtime's `LOCAL_CLOCK_START`): a Wait until a
   * timestamp that a function computed counts from it, and execution dates are read off it. Default `Date.now`.
   */
  now?: () => number;
  /**
   * How many executions may be stepping through their start at once (a positive integer; `undefined` or `Infinity`:
   * no bound, every execution starts stepping at once). An execution holds its slot from its first state until it
   * ends, parks on a `.waitForTaskToken` task (its function has returned and the task waits for its token), or enters
   * a Wait state that waits; it never takes a slot again. Executions over the bound wait, RUNNING, in a FIFO queue
   * before their first state, with no timer running: neither task timers nor the execution's `TimeoutSeconds`, which
   * counts from the first state (AWS counts it from the start; the difference is the time spent queued).
   *
   * In AWS every execution runs elsewhere; here they all share one process and one DynamoDB Local, and thousands
   * starting at once (a bulk batch) would starve each other's Lambda tasks into their timeouts.
   */
  maxStartingExecutions?: number;
}

export interface ExecutionSummary {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
}

export interface ExecutionDescription extends ExecutionSummary {
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

/**
 * How long the interpreter may await one Task before the engine renews its timer (see `prepare-definition.ts`):
 * 20 days, under the 23 days the interpreter's own Task timer gets.
 */
const RENEW_AFTER_MS = 20 * 24 * 3600 * 1000;

/** The Cause aws-local-stepfunctions gives a Fail state without one. */
const DEFAULT_FAIL_CAUSE = 'Execution failed because of a Fail state';

/** Execution names: 1–80 characters, none of the ones AWS refuses. */
const VALID_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

const ARN = /^arn:[^:]+:states:[^:]*:[^:]*:(stateMachine|execution):/;

interface Machine {
  arn: string;
  name: string;
  prepared: PreparedDefinition;
  interpreter: StateMachine;
}

interface Execution extends ExecutionDescription {
  machine: Machine;
  attempts: Set<TaskAttempt>;
  /** Attempts whose interpreter promise was renewed, waiting for the interpreter to enter their state again. */
  renewals: Map<string, TaskAttempt[]>;
  /** The token `$$.Task.Token` handed out since the last Task entry (see {@link LocalStepFunctions.contextOf}). */
  mintedToken?: string;
  abort?: () => void;
  timeout?: LongTimer;
  /** Settles once the execution has ended (created at start, so queued executions have it too). */
  done: Promise<void>;
  settle: () => void;
  /** Where it is in its start: `queued` (no state run yet), `starting` (holds a slot), `released` (slot given back). */
  phase: 'queued' | 'starting' | 'released';
}

/** State transitions by state machine ARN, then by state name (see {@link LocalStepFunctions.transitions}). */
export type TransitionCounts = ReadonlyMap<string, ReadonlyMap<string, number>>;

/**
 * Runs Step Functions state machines locally with the semantics of AWS Standard workflows: named, idempotent
 * executions; Lambda tasks (`lambda:invoke`, `.waitForTaskToken`, plain function ARNs) run in-process, their thrown
 * errors named as Lambda names them; task tokens, timeouts and heartbeats; stop.
 */
export class LocalStepFunctions {
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, Execution>();
  private readonly tokens = new Map<string, TaskAttempt>();
  private readonly invoke: LocalStepFunctionsOptions['invoke'];
  private readonly timeScale: number;
  private readonly timeoutScale: number;
  private readonly log: NonNullable<LocalStepFunctionsOptions['log']>;
  private readonly now: () => number;
  private readonly maxStarting: number;
  /** Executions holding a start slot (see {@link LocalStepFunctionsOptions.maxStartingExecutions}). */
  private starting = 0;
  /** Executions waiting for a start slot, first come first served. */
  private readonly queue = new Set<Execution>();
  /** State transitions so far, by state machine ARN and state name (see {@link transitions}). */
  private readonly transitionCounts = new Map<string, Map<string, number>>();
  /** Executions started so far, by state machine ARN. */
  private readonly startedCounts = new Map<string, number>();
  private closed = false;

  /** @throws Error when a definition is invalid or uses what the local engine cannot run */
  constructor(options: LocalStepFunctionsOptions) {
    const max = options.maxStartingExecutions ?? Number.POSITIVE_INFINITY;
    if (max !== Number.POSITIVE_INFINITY && !(Number.isInteger(max) && max >= 1)) {
      throw new Error(`maxStartingExecutions must be a positive integer or Infinity, got ${max}`);
    }
    this.maxStarting = max;
    this.invoke = options.invoke;
    this.timeScale = options.timeScale ?? 1;
    this.timeoutScale = options.timeoutScale ?? 1;
    this.log = options.log ?? (() => undefined);
    this.now = options.now ?? (() => Date.now());
    for (const { arn, definition } of options.stateMachines) {
      const name = /:stateMachine:([^:]+)$/.exec(arn)?.[1];
      if (!ARN.test(arn) || name === undefined) {
        throw new Error(`Not a state machine ARN: ${arn}`);
      }
      validate(definition);
      const prepared = prepareDefinition(definition as Record<string, unknown>, this.timeScale);
      const interpreter = new StateMachine(prepared.definition as unknown as StateMachineDefinition, {
        validationOptions: { noValidate: true },
      });
      this.machines.set(arn, { arn, name, prepared, interpreter });
    }
  }

  /**
   * Starts an execution. Idempotent like AWS: the same name with the same input while it runs returns that execution.
   *
   * @throws StepFunctionsApiError `StateMachineDoesNotExist`, `ExecutionAlreadyExists` (the name is taken by a finished
   *   execution or by one with another input), `InvalidName`, `InvalidExecutionInput`, `InvalidArn`
   */
  startExecution(request: { stateMachineArn: string; name?: string; input?: string }): {
    executionArn: string;
    startDate: Date;
  } {
    const machine = this.machineOf(request.stateMachineArn);
    const name = request.name ?? randomUUID();
    if (!VALID_NAME.test(name)) {
      throw new StepFunctionsApiError('InvalidName', `Invalid Name: '${name}'`);
    }
    const input = request.input ?? '{}';
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input);
    } catch {
      throw new StepFunctionsApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not valid JSON');
    }
    const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn, startDate: existing.startDate };
      }
      throw new StepFunctionsApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }

    let settle!: () => void;
    const done = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const execution: Execution = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      status: 'RUNNING',
      input,
      startDate: new Date(this.now()),
      machine,
      attempts: new Set(),
      renewals: new Map(),
      done,
      settle,
      phase: 'queued',
    };
    this.executions.set(executionArn, execution);
    this.startedCounts.set(machine.arn, (this.startedCounts.get(machine.arn) ?? 0) + 1);
    this.log('execution started', { executionArn });
    // First come, first served: while others wait for a slot, a new execution queues behind them.
    if (this.starting < this.maxStarting && this.queue.size === 0 && !this.closed) {
      this.begin(execution, parsedInput);
    } else {
      this.queue.add(execution);
      this.log('execution queued', { executionArn, queued: this.queue.size });
    }
    return { executionArn, startDate: execution.startDate };
  }

  /**
   * The state transitions every execution has made since the engine started, by state machine ARN and state name, as
   * AWS bills them for a Standard workflow: one each time a state is entered (Task, Choice, Pass, Wait, Succeed, Fail,
   * and the states inside Parallel branches and Map iterations), and one more for each retry of a state. The local
   * engine's own re-entries (the renewal of its Task timer) are not transitions. An execution's counts are complete
   * once it has ended (`waitForExecution`, `whenIdle`).
   */
  transitions(): TransitionCounts {
    return this.transitionCounts;
  }

  /** How many executions each state machine has started since the engine started (an idempotent start is not one more). */
  executionsStarted(): ReadonlyMap<string, number> {
    return this.startedCounts;
  }

  /** How many executions hold a start slot and how many wait for one (diagnostics, tests). */
  get startQueue(): { starting: number; queued: number } {
    return { starting: this.starting, queued: this.queue.size };
  }

  /** @throws StepFunctionsApiError `ExecutionDoesNotExist`, `InvalidArn` */
  describeExecution(executionArn: string): ExecutionDescription {
    const { executionArn: arn, stateMachineArn, name, status, input, output, error, cause, startDate, stopDate } =
      this.executionOf(executionArn);
    return {
      executionArn: arn,
      stateMachineArn,
      name,
      status,
      input,
      startDate,
      ...definedOnly({ output, error, cause, stopDate }),
    };
  }

  /**
   * The machine's executions, newest first, optionally of one status; paged with `maxResults`/`nextToken`.
   *
   * @throws StepFunctionsApiError `StateMachineDoesNotExist`, `InvalidArn`
   */
  listExecutions(request: {
    stateMachineArn: string;
    statusFilter?: ExecutionStatus;
    maxResults?: number;
    nextToken?: string;
  }): { executions: ExecutionSummary[]; nextToken?: string } {
    const machine = this.machineOf(request.stateMachineArn);
    const matching = [...this.executions.values()]
      .filter((e) => e.machine === machine && (request.statusFilter === undefined || e.status === request.statusFilter))
      .reverse();
    const start = request.nextToken === undefined ? 0 : Number(Buffer.from(request.nextToken, 'base64url').toString());
    const size = request.maxResults && request.maxResults > 0 ? request.maxResults : 100;
    const page = matching.slice(start, start + size).map(
      ({ executionArn, stateMachineArn, name, status, startDate, stopDate }): ExecutionSummary => ({
        executionArn,
        stateMachineArn,
        name,
        status,
        startDate,
        ...definedOnly({ stopDate }),
      }),
    );
    const next = start + size < matching.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
    return { executions: page, ...definedOnly({ nextToken: next }) };
  }

  /**
   * Stops a running execution (status ABORTED); its open tasks end and their tokens stop working. Stopping a finished
   * execution changes nothing.
   *
   * @throws StepFunctionsApiError `ExecutionDoesNotExist`, `InvalidArn`
   */
  stopExecution(request: { executionArn: string; error?: string; cause?: string }): { stopDate: Date } {
    const execution = this.executionOf(request.executionArn);
    this.terminate(execution, 'ABORTED', request.error, request.cause);
    return { stopDate: execution.stopDate ?? new Date(this.now()) };
  }

  /**
   * Completes the `.waitForTaskToken` task of `taskToken` with `output` (a JSON text).
   *
   * @throws StepFunctionsApiError `InvalidToken` (not a token), `TaskDoesNotExist` (unknown, or its task is over),
   *   `InvalidOutput` (not JSON)
   */
  sendTaskSuccess(request: { taskToken: string; output: string }): Record<string, never> {
    const attempt = this.openAttemptOf(request.taskToken);
    let output: unknown;
    try {
      output = JSON.parse(request.output);
    } catch {
      throw new StepFunctionsApiError('InvalidOutput', 'Invalid Output: not valid JSON');
    }
    attempt.succeed(output);
    return {};
  }

  /**
   * Fails the task of `taskToken` with `error`/`cause`, which the state's Retry and Catch match as any task error.
   *
   * @throws StepFunctionsApiError `InvalidToken`, `TaskDoesNotExist`
   */
  sendTaskFailure(request: { taskToken: string; error?: string; cause?: string }): Record<string, never> {
    this.openAttemptOf(request.taskToken).fail(new StatesError(request.error ?? '', request.cause ?? ''));
    return {};
  }

  /**
   * Tells the task of `taskToken` that it is still being worked on (restarts its `HeartbeatSeconds`).
   *
   * @throws StepFunctionsApiError `InvalidToken`, `TaskDoesNotExist`
   */
  sendTaskHeartbeat(request: { taskToken: string }): Record<string, never> {
    this.openAttemptOf(request.taskToken).heartbeat();
    return {};
  }

  /**
   * The ARN of the state machine whose execution `taskToken` was handed out by, whether its task is still open, over,
   * or from before a restart; undefined for a text that is no token of this engine. AWS authorises `SendTaskSuccess`,
   * `SendTaskFailure` and `SendTaskHeartbeat` on that state machine (the local IAM proxy asks this).
   */
  stateMachineOfTaskToken(taskToken: string): string | undefined {
    const executionArn = executionOfTaskToken(taskToken);
    if (executionArn === undefined) return undefined;
    const known = this.executions.get(executionArn)?.stateMachineArn;
    // `arn:…:execution:<machine>:<name>` → `arn:…:stateMachine:<machine>`
    return known ?? /^(arn:[^:]+:states:[^:]*:[^:]*):execution:([^:]+):[^:]+$/.exec(executionArn)?.slice(1).join(':stateMachine:');
  }

  /** Resolves once no execution is RUNNING (tests; an execution queued or waiting for a token keeps it pending). */
  async whenIdle(): Promise<void> {
    for (;;) {
      const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING').map((e) => e.done);
      if (running.length === 0) {
        return;
      }
      await Promise.all(running);
    }
  }

  /** Resolves with the execution's description once it is no longer RUNNING (tests). */
  async waitForExecution(executionArn: string): Promise<ExecutionDescription> {
    await this.executionOf(executionArn).done;
    return this.describeExecution(executionArn);
  }

  /** Aborts every running execution (queued ones too) and clears every timer, for a clean shutdown. */
  async close(): Promise<void> {
    this.closed = true;
    // The queue first: the running executions ending below must not start queued ones.
    for (const execution of [...this.queue]) {
      this.terminate(execution, 'ABORTED', undefined, 'The local runtime shut down');
    }
    const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
    for (const execution of running) {
      this.terminate(execution, 'ABORTED', undefined, 'The local runtime shut down');
    }
    await Promise.all(running.map((e) => e.done));
  }

  /** Runs the execution's first state, holding a start slot; its timers start here. */
  private begin(execution: Execution, parsedInput?: unknown): void {
    execution.phase = 'starting';
    this.starting += 1;
    const { machine } = execution;
    const run = machine.interpreter.run(
      (parsedInput === undefined ? JSON.parse(execution.input) : parsedInput) as never,
      this.runOptionsOf(execution),
    );
    execution.abort = run.abort;
    const ended = run.result.then(
      (output) => void this.finish(execution, 'SUCCEEDED', { output: JSON.stringify(output) }),
      (error: unknown) => void this.finish(execution, 'FAILED', failureOf(error)),
    );
    // Settled once its event log is read too, so that its transitions are all counted by then.
    void Promise.allSettled([ended, this.logEvents(execution, run.eventLogs)]).then(execution.settle);
    const { timeoutSeconds } = machine.prepared;
    if (timeoutSeconds !== undefined) {
      execution.timeout = setLongTimeout(
        () => this.terminate(execution, 'TIMED_OUT', 'States.Timeout', `The execution timed out after ${timeoutSeconds} s`),
        timeoutSeconds * 1000 * this.timeoutScale,
      );
    }
  }

  /**
   * Gives the execution's start slot back (it ended, parked on a token or waits in a Wait state), once, and starts
   * the next queued executions.
   */
  private releaseSlot(execution: Execution): void {
    if (execution.phase !== 'starting') {
      return;
    }
    execution.phase = 'released';
    this.starting -= 1;
    while (!this.closed && this.starting < this.maxStarting) {
      const next = this.queue.values().next();
      if (next.done) {
        return;
      }
      this.queue.delete(next.value);
      this.begin(next.value);
    }
  }

  private runOptionsOf(execution: Execution): RunOptions {
    const taskResourceLocalHandlers = Object.fromEntries(
      [...execution.machine.prepared.tasks.values()].map((spec) => [
        spec.stateName,
        (parameters: unknown) => this.enterTask(execution, spec, parameters as LocalTaskParameters),
      ]),
    );
    return {
      overrides: { taskResourceLocalHandlers } as NonNullable<RunOptions['overrides']>,
      noThrowOnAbort: true,
      context: this.contextOf(execution),
    };
  }

  /**
   * The Context Object. The library has no task tokens: `Task.Token` is a getter, which survives the library's shallow
   * copy of the context, so reading `$$.Task.Token` mints one. The interpreter evaluates a Task's Parameters and calls
   * its handler in one synchronous run, so the handler that comes next takes the token (see {@link enterTask}); reading
   * it twice in one Parameters gives the same token, and each attempt (a retry evaluates Parameters again) a new one.
   */
  private contextOf(execution: Execution): NonNullable<RunOptions['context']> {
    const task = {};
    Object.defineProperty(task, 'Token', {
      enumerable: true,
      get: () => {
        execution.mintedToken ??= mintTaskToken(execution.executionArn);
        return execution.mintedToken;
      },
    });
    return {
      Execution: { Id: execution.executionArn, Name: execution.name },
      StateMachine: { Id: execution.machine.arn, Name: execution.machine.name },
      Task: task,
    };
  }

  /**
   * The local handler of every Task (and former Wait) state. Synchronous up to the returned promise: the token minted
   * by this entry's Parameters must be taken before anything else can read `$$.Task.Token`.
   */
  private enterTask(execution: Execution, spec: LocalTaskSpec, parameters: LocalTaskParameters): Promise<unknown> {
    const minted = execution.mintedToken;
    execution.mintedToken = undefined;
    // A renewed attempt is re-entered at once (the hidden retrier pauses 0 s, all in microtasks), before any other
    // timer can renew another attempt of the same state (Map iterations), so first renewed is first re-entered.
    const renewed = execution.renewals.get(spec.stateName)?.shift();
    try {
      if (execution.status !== 'RUNNING') {
        throw stoppedError();
      }
      const attempt =
        renewed ?? (spec.kind === 'wait' ? this.startWait(execution, spec, parameters) : this.startTask(execution, spec, parameters, minted));
      return attempt.attach(RENEW_AFTER_MS, () => {
        const queue = execution.renewals.get(spec.stateName) ?? [];
        queue.push(attempt);
        execution.renewals.set(spec.stateName, queue);
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private startTask(
    execution: Execution,
    spec: Extract<LocalTaskSpec, { kind: 'task' }>,
    parameters: LocalTaskParameters,
    minted: string | undefined,
  ): TaskAttempt {
    const callback = spec.integration === 'lambda-invoke-callback';
    const timeoutSeconds = spec.timeoutSeconds ?? positiveInteger(parameters.timeoutSeconds, 'TimeoutSecondsPath', spec);
    const heartbeatSeconds = callback
      ? (spec.heartbeatSeconds ?? positiveInteger(parameters.heartbeatSeconds, 'HeartbeatSecondsPath', spec))
      : undefined;
    const token = callback ? (minted ?? mintTaskToken(execution.executionArn)) : undefined;
    const attempt = this.newAttempt(execution, spec.stateName, {
      ...definedOnly({ token }),
      ...(timeoutSeconds === undefined ? {} : { timeoutMs: timeoutSeconds * 1000 * this.timeoutScale }),
      ...(heartbeatSeconds === undefined ? {} : { heartbeatMs: heartbeatSeconds * 1000 * this.timeoutScale }),
    });

    const input = parameters.input as { FunctionName?: unknown; Payload?: unknown } | undefined;
    const functionArn = spec.integration === 'lambda-function' ? spec.resource : String(input?.FunctionName);
    const payload = spec.integration === 'lambda-function' ? parameters.input : (input?.Payload ?? {});
    // Called after the interpreter has finished entering the state; the token is registered already, so the function
    // may complete its own task (SendTaskSuccess) before it returns.
    Promise.resolve()
      .then(() => this.invoke(functionArn, jsonCopy(payload)))
      .then((result) => {
        if (callback) {
          // Parked: the function has returned and the task waits for its token, which only an external event sends.
          if (attempt.isOpen) {
            this.releaseSlot(execution);
          }
          return;
        }
        const value = jsonCopy(result ?? null);
        attempt.succeed(
          spec.integration === 'lambda-invoke' ? { ExecutedVersion: '$LATEST', Payload: value, StatusCode: 200 } : value,
        );
      })
      .catch((error: unknown) => {
        if (attempt.fail(lambdaFunctionError(error))) {
          this.log('task failed', { executionArn: execution.executionArn, state: spec.stateName, error: String(error) });
        }
      });
    return attempt;
  }

  private startWait(
    execution: Execution,
    spec: Extract<LocalTaskSpec, { kind: 'wait' }>,
    parameters: LocalTaskParameters,
  ): TaskAttempt {
    let delayMs: number;
    if (spec.seconds !== undefined) {
      delayMs = spec.seconds * 1000;
    } else if (spec.timestamp !== undefined) {
      delayMs = Date.parse(spec.timestamp) - this.now();
    } else if (parameters.seconds !== undefined) {
      const seconds = parameters.seconds;
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
        throw runtimeError(`Wait ${spec.stateName}: SecondsPath must point to a non-negative integer`);
      }
      delayMs = seconds * 1000;
    } else {
      const at = typeof parameters.timestamp === 'string' ? Date.parse(parameters.timestamp) : Number.NaN;
      if (Number.isNaN(at)) {
        throw runtimeError(`Wait ${spec.stateName}: TimestampPath must point to an ISO 8601 timestamp`);
      }
      delayMs = at - this.now();
    }
    const attempt = this.newAttempt(execution, spec.stateName, {});
    attempt.after(Math.max(0, delayMs) * this.timeScale, () => attempt.succeed(parameters.input));
    if (delayMs > 0) {
      // Waiting on a timer is not stepping: the slot goes to the next queued execution.
      this.releaseSlot(execution);
    }
    return attempt;
  }

  private newAttempt(
    execution: Execution,
    stateName: string,
    options: { token?: string; timeoutMs?: number; heartbeatMs?: number },
  ): TaskAttempt {
    const attempt: TaskAttempt = new TaskAttempt({
      stateName,
      ...options,
      onClose: () => {
        execution.attempts.delete(attempt);
        if (options.token !== undefined) {
          this.tokens.delete(options.token);
        }
      },
    });
    execution.attempts.add(attempt);
    if (options.token !== undefined) {
      this.tokens.set(options.token, attempt);
    }
    return attempt;
  }

  /** Ends a running execution from outside (stop, execution timeout, shutdown); a queued one leaves the queue. */
  private terminate(execution: Execution, status: 'ABORTED' | 'TIMED_OUT', error?: string, cause?: string): void {
    if (!this.finish(execution, status, definedOnly({ error, cause }))) {
      return;
    }
    if (execution.phase === 'queued') {
      // It never ran: no interpreter to abort, nothing else settles it.
      this.queue.delete(execution);
      execution.settle();
      return;
    }
    execution.abort?.();
  }

  /** Records the end of an execution once; false if it had ended already. */
  private finish(
    execution: Execution,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    fields: { output?: string; error?: string; cause?: string },
  ): boolean {
    if (execution.status !== 'RUNNING') {
      return false;
    }
    Object.assign(execution, { status, stopDate: new Date(this.now()) }, fields);
    execution.timeout?.cancel();
    execution.renewals.clear();
    // Tasks still open (stop, timeout, or branches of a failed Parallel) end here, with their tokens.
    for (const attempt of [...execution.attempts]) {
      attempt.fail(stoppedError());
    }
    this.log(`execution ${status.toLowerCase()}`, { executionArn: execution.executionArn, ...fields });
    this.releaseSlot(execution);
    return true;
  }

  private async logEvents(
    execution: Execution,
    events: ReturnType<StateMachine['run']>['eventLogs'],
  ): Promise<void> {
    // Draining the log also keeps the library from queueing every event of a long execution in memory.
    for await (const event of events) {
      if (isTransition(event)) this.countTransition(execution, event.state.name);
      const error = 'Error' in event ? event.Error : undefined;
      if ((event.type === 'StateFailed' || event.type === 'StateCaught') && error !== RENEW_ERROR) {
        this.log(event.type === 'StateFailed' ? 'state failed' : 'state error caught', {
          executionArn: execution.executionArn,
          state: event.state.name,
          ...definedOnly({ error }),
        });
      }
    }
  }

  private countTransition(execution: Execution, stateName: string): void {
    let byState = this.transitionCounts.get(execution.stateMachineArn);
    if (!byState) {
      byState = new Map();
      this.transitionCounts.set(execution.stateMachineArn, byState);
    }
    byState.set(stateName, (byState.get(stateName) ?? 0) + 1);
  }

  private machineOf(stateMachineArn: string): Machine {
    const machine = this.machines.get(stateMachineArn);
    if (machine) {
      return machine;
    }
    if (!ARN.test(stateMachineArn) || !stateMachineArn.includes(':stateMachine:')) {
      throw new StepFunctionsApiError('InvalidArn', `Invalid Arn: '${stateMachineArn}'`);
    }
    throw new StepFunctionsApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
  }

  private executionOf(executionArn: string): Execution {
    const execution = this.executions.get(executionArn);
    if (execution) {
      return execution;
    }
    if (!ARN.test(executionArn) || !executionArn.includes(':execution:')) {
      throw new StepFunctionsApiError('InvalidArn', `Invalid Arn: '${executionArn}'`);
    }
    throw new StepFunctionsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
  }

  private openAttemptOf(taskToken: string): TaskAttempt {
    if (!isWellFormedTaskToken(taskToken)) {
      throw new StepFunctionsApiError('InvalidToken', 'Invalid Token: not a task token of this engine');
    }
    const attempt = this.tokens.get(taskToken);
    if (!attempt?.isOpen) {
      throw new StepFunctionsApiError('TaskDoesNotExist', 'Task Does Not Exist: its task is over or unknown');
    }
    return attempt;
  }
}

type EventLogEntry = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/**
 * Whether an event of the library's log is a billed state transition: a state entered, or a state retried by one of
 * the definition's retriers (not the engine's hidden renewal retrier, see `prepare-definition.ts`).
 */
function isTransition(event: EventLogEntry): event is Extract<EventLogEntry, { state: unknown }> {
  if (event.type === 'StateEntered') return true;
  return event.type === 'StateRetried' && !event.retry.retrier.ErrorEquals.includes(RENEW_ERROR);
}

/** Definitions validated already, as JSON text: validating one costs 60–400 ms, and tests build many engines. */
const validDefinitions = new Set<string>();

/**
 * Validates a definition as written, with the library's validator (the prepared one is no longer valid ASL).
 *
 * @throws Error listing what is invalid
 */
function validate(definition: object): void {
  const text = JSON.stringify(definition);
  if (!validDefinitions.has(text)) {
    new StateMachine(definition as StateMachineDefinition, { validationOptions: { checkArn: false } });
    validDefinitions.add(text);
  }
}

/** The error and cause of a failed execution, from what the library rejected with. */
function failureOf(rejection: unknown): { error?: string; cause?: string } {
  const failure = rejection instanceof ExecutionError ? rejection.cause : rejection;
  if (!(failure instanceof Error)) {
    return { error: 'States.Runtime', cause: String(failure) };
  }
  // A Fail state without Error/Cause: the library fills in its own, AWS leaves them out.
  if (failure.message === DEFAULT_FAIL_CAUSE) {
    return failure.name === 'FailStateError' ? {} : { error: failure.name };
  }
  return { error: failure.name, cause: failure.message };
}

/** Ends a task from outside: no Retry or Catch of the definition may catch it. */
function stoppedError(): StatesError {
  return new StatesError('Local.ExecutionStopped', 'The execution is no longer running', { retryable: false, catchable: false });
}

/** A `States.Runtime` failure: like the library's own, it fails the execution past any Retry or Catch. */
function runtimeError(cause: string): StatesError {
  return new StatesError('States.Runtime', cause, { retryable: false, catchable: false });
}

function positiveInteger(value: unknown, field: string, spec: LocalTaskSpec): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw runtimeError(`Task ${spec.stateName}: ${field} must point to a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** What crosses the Lambda boundary is JSON, as it is in AWS (Dates become strings, undefined fields vanish). */
function jsonCopy(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null));
}

function definedOnly<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}
