/**
 * Rewrites a state machine definition into the one aws-local-stepfunctions runs, so that the parts the library gets
 * wrong or lacks are done by the local engine instead, while the library still interprets everything else (paths,
 * Choice, Map, Parallel, Retry, Catch, Fail…):
 *
 * - Task states: their timeouts and heartbeats are taken out and handed to the engine (the library defaults every
 *   Task to 60 s, evaluates `TimeoutSecondsPath` against the wrong input, has no heartbeats, and overflows Node's timer
 *   past ~24.8 days). The paths are evaluated by the library all the same: they travel to the engine inside a wrapping
 *   `Parameters`, evaluated against the state's input, which is also where AWS evaluates them.
 * - Wait states become Tasks the engine runs, so waits can be scaled (`timeScale`) and can last longer than Node's
 *   timer allows.
 * - The library still times every Task out (its own timer), so each gets a timeout it can hold and a first, hidden
 *   retrier for {@link RENEW_ERROR}: the engine answers a long wait with that error before the library's timer runs
 *   out, and the library enters the state again, which the engine re-attaches to the same open task.
 * - Retry intervals are scaled by `timeScale`.
 * - Two library slips are written around: `ResultPath: "$"` and a falsy Pass `Result`.
 * - The execution's own `TimeoutSeconds` is taken out; the engine enforces it with a timer that does not overflow.
 */
import { MAX_TIMER_DELAY_MS } from './long-timer.ts';

/** The error name of a renewal of the library's Task timer; never seen by the definition's own Retry or Catch. */
export const RENEW_ERROR = 'Local.TimerRenewal';

/** The timeout the library gets for every Task: about 23 days, under Node's timer limit. */
export const LIBRARY_TASK_TIMEOUT_SECONDS = 2_000_000;

/** The Resource of a Wait state turned into a Task. */
export const LOCAL_WAIT_RESOURCE = 'arn:aws:states:::local:wait';

/** How the engine runs one Task (or former Wait) state. */
export type LocalTaskSpec =
  | {
      kind: 'task';
      stateName: string;
      /** `lambda-function`: a Lambda ARN as Resource; `lambda-invoke`: `arn:aws:states:::lambda:invoke`. */
      integration: 'lambda-function' | 'lambda-invoke' | 'lambda-invoke-callback';
      resource: string;
      timeoutSeconds?: number;
      heartbeatSeconds?: number;
    }
  | { kind: 'wait'; stateName: string; seconds?: number; timestamp?: string };

/** What the wrapping `Parameters` hand to the engine for each Task or Wait state entry. */
export interface LocalTaskParameters {
  /** The state's effective input: the original `Parameters` evaluated, or the input after `InputPath`. */
  input: unknown;
  timeoutSeconds?: unknown;
  heartbeatSeconds?: unknown;
  seconds?: unknown;
  timestamp?: unknown;
}

export interface PreparedDefinition {
  /** The definition to give aws-local-stepfunctions (with validation off: it is no longer valid ASL). */
  definition: Record<string, unknown>;
  /** Every Task and Wait state of the machine, nested ones included, by state name. */
  tasks: Map<string, LocalTaskSpec>;
  /** The execution's `TimeoutSeconds`, if any. */
  timeoutSeconds?: number;
}

type Json = Record<string, unknown>;

/**
 * Prepares `definition` (plain ASL, as read from the template) for the local engine.
 *
 * @param timeScale multiplies every Retry interval (Wait states are scaled by the engine)
 * @throws Error when the definition uses what the local engine cannot run (JSONata, variables, other integrations)
 */
export function prepareDefinition(definition: Json, timeScale = 1): PreparedDefinition {
  const tasks = new Map<string, LocalTaskSpec>();
  const { TimeoutSeconds: timeoutSeconds, ...rest } = definition;
  if (rest.QueryLanguage === 'JSONata') {
    throw new Error('JSONata state machines are not supported locally (aws-local-stepfunctions ignores JSONata); use JSONPath');
  }
  return {
    definition: prepareMachine(rest, tasks, timeScale),
    tasks,
    ...(typeof timeoutSeconds === 'number' ? { timeoutSeconds } : {}),
  };
}

function prepareMachine(machine: Json, tasks: Map<string, LocalTaskSpec>, timeScale: number): Json {
  const states = machine.States as Record<string, Json>;
  const prepared = Object.fromEntries(
    Object.entries(states).map(([name, state]) => [name, prepareState(name, state, tasks, timeScale)]),
  );
  return { ...machine, States: prepared };
}

function prepareState(name: string, state: Json, tasks: Map<string, LocalTaskSpec>, timeScale: number): Json {
  // The library would silently ignore these and run something else than AWS does.
  if (state.QueryLanguage === 'JSONata' || ['Arguments', 'Output', 'Assign'].some((field) => field in state)) {
    throw new Error(`State ${name}: JSONata and variables (Arguments, Output, Assign) are not supported locally; use JSONPath`);
  }
  const result: Json = { ...state };
  // The library writes ResultPath "$" into a field named "$" instead of replacing the input; "$" is the default anyway.
  if (result.ResultPath === '$') {
    delete result.ResultPath;
  }
  if (Array.isArray(result.Retry)) {
    result.Retry = (result.Retry as Json[]).map((retrier) => scaleRetrier(retrier, timeScale));
  }
  switch (state.Type) {
    case 'Task':
      return prepareTask(name, result, tasks);
    case 'Wait':
      return prepareWait(name, result, tasks);
    case 'Map': {
      for (const key of ['ItemProcessor', 'Iterator'] as const) {
        if (result[key]) {
          result[key] = prepareMachine(result[key] as Json, tasks, timeScale);
        }
      }
      return result;
    }
    case 'Parallel':
      result.Branches = (result.Branches as Json[]).map((branch) => prepareMachine(branch, tasks, timeScale));
      return result;
    case 'Pass':
      // The library ignores a falsy Result (false, 0, "", null) and passes the input on; a constant Parameters has
      // the same meaning for a Pass state, and the library honours it.
      if ('Result' in result && !result.Result) {
        result.Parameters = result.Result;
        delete result.Result;
      }
      return result;
    default:
      return result;
  }
}

function prepareTask(name: string, state: Json, tasks: Map<string, LocalTaskSpec>): Json {
  const {
    Parameters: parameters,
    TimeoutSeconds: timeoutSeconds,
    TimeoutSecondsPath: timeoutSecondsPath,
    HeartbeatSeconds: heartbeatSeconds,
    HeartbeatSecondsPath: heartbeatSecondsPath,
    Retry: retry,
    ...rest
  } = state;
  const resource = String(state.Resource);
  addTask(tasks, {
    kind: 'task',
    stateName: name,
    integration: integrationOf(name, resource),
    resource,
    ...(typeof timeoutSeconds === 'number' ? { timeoutSeconds } : {}),
    ...(typeof heartbeatSeconds === 'number' ? { heartbeatSeconds } : {}),
  });
  return {
    ...rest,
    Parameters: {
      ...(parameters === undefined ? { 'input.$': '$' } : { input: parameters }),
      ...(typeof timeoutSecondsPath === 'string' ? { 'timeoutSeconds.$': timeoutSecondsPath } : {}),
      ...(typeof heartbeatSecondsPath === 'string' ? { 'heartbeatSeconds.$': heartbeatSecondsPath } : {}),
    },
    TimeoutSeconds: LIBRARY_TASK_TIMEOUT_SECONDS,
    Retry: [renewalRetrier(), ...((retry as Json[] | undefined) ?? [])],
  };
}

function prepareWait(name: string, state: Json, tasks: Map<string, LocalTaskSpec>): Json {
  const { Type: _type, Seconds: seconds, Timestamp: timestamp, SecondsPath: secondsPath, TimestampPath: timestampPath, ...rest } = state;
  addTask(tasks, {
    kind: 'wait',
    stateName: name,
    ...(typeof seconds === 'number' ? { seconds } : {}),
    ...(typeof timestamp === 'string' ? { timestamp } : {}),
  });
  // A Task with no Parameters and no ResultPath outputs what the engine returns: the input, as a Wait does.
  return {
    ...rest,
    Type: 'Task',
    Resource: LOCAL_WAIT_RESOURCE,
    Parameters: {
      'input.$': '$',
      ...(typeof secondsPath === 'string' ? { 'seconds.$': secondsPath } : {}),
      ...(typeof timestampPath === 'string' ? { 'timestamp.$': timestampPath } : {}),
    },
    TimeoutSeconds: LIBRARY_TASK_TIMEOUT_SECONDS,
    Retry: [renewalRetrier()],
  };
}

function addTask(tasks: Map<string, LocalTaskSpec>, spec: LocalTaskSpec): void {
  // The library finds a Task's local handler by state name alone, nested states included.
  if (tasks.has(spec.stateName)) {
    throw new Error(`State name ${spec.stateName} is used twice; state names must be unique in the whole state machine`);
  }
  tasks.set(spec.stateName, spec);
}

function integrationOf(name: string, resource: string): 'lambda-function' | 'lambda-invoke' | 'lambda-invoke-callback' {
  if (/^arn:[^:]+:states:::lambda:invoke$/.test(resource)) {
    return 'lambda-invoke';
  }
  if (/^arn:[^:]+:states:::lambda:invoke\.waitForTaskToken$/.test(resource)) {
    return 'lambda-invoke-callback';
  }
  if (/^arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?$/.test(resource)) {
    return 'lambda-function';
  }
  throw new Error(`Task ${name}: resource ${resource} is not supported locally (only Lambda functions and lambda:invoke)`);
}

function renewalRetrier(): Json {
  return { ErrorEquals: [RENEW_ERROR], IntervalSeconds: 0, BackoffRate: 1, MaxAttempts: Number.MAX_SAFE_INTEGER };
}

/**
 * Scales a retrier's interval (its default is 1 s) and its cap. The cap also keeps each pause under Node's timer
 * limit: the library sleeps with a plain `setTimeout`, so a backoff beyond ~24.8 days would fire at once. Such a pause
 * is cut to ~24.8 days instead, the one case where the local engine waits less than AWS would.
 */
function scaleRetrier(retrier: Json, timeScale: number): Json {
  const interval = typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1;
  const maxDelay = typeof retrier.MaxDelaySeconds === 'number' ? retrier.MaxDelaySeconds * timeScale : Number.POSITIVE_INFINITY;
  return {
    ...retrier,
    IntervalSeconds: interval * timeScale,
    MaxDelaySeconds: Math.min(maxDelay, (MAX_TIMER_DELAY_MS - 1) / 1000),
  };
}
