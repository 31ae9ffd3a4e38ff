/**
 * Walks a state machine's definition (Amazon States Language, JSONPath) along one path and counts the state
 * transitions AWS bills a Standard execution for: one for every state entered — Task, Choice, Pass, Wait, Succeed,
 * Fail, Parallel and Map, and every state inside a Parallel branch or a Map iteration — and one more for every retry
 * of a state ("each retry will be charged as an additional state transition", AWS Step Functions pricing).
 *
 * The path is data: the value each Choice sees on each visit, and the outcome of each attempt of a Task. Everything
 * else — where a Choice rule leads, which Retry catches an error and how many attempts it allows, which Catch takes
 * over, where a state goes next — is read from the definition, so the count follows the definition as it changes.
 */

/** A value a Choice state's rules see: the one variable's value, or an object of `Variable` → value. */
export type ChoiceValue = string | number | boolean | null | { [variable: string]: unknown };

/** The way one execution goes through a state machine. */
export interface MachinePath {
  /**
   * Per Choice state, the value its rules see on each visit, in order (`{ RouteByStatus: ['submitted'] }`). When the
   * state's rules test one variable, the value is that variable's; otherwise an object keyed by each `Variable`.
   */
  choices?: Record<string, ChoiceValue[]>;
  /**
   * Per Task state, the outcome of each attempt, in order, counting retries and later entries alike: `ok`, or the
   * name of the error it ends with (`DeliveryFailedError`, `States.Timeout`). Attempts beyond the list are `ok`.
   */
  outcomes?: Record<string, string[]>;
  /** Per Map state, the number of items of each visit. */
  mapItems?: Record<string, number[]>;
}

export interface Walk {
  /** Billed state transitions. */
  transitions: number;
  /** Transitions by state name (entries and retries). */
  byState: Record<string, number>;
  /** The states entered, in order, a retry written `<state> (retry)`. */
  trace: string[];
  /** How the execution ends. */
  end: 'succeeded' | 'failed';
  /** The error a failed execution ends with. */
  error?: string;
}

type Json = Record<string, unknown>;

/** A path that does not fit the definition: a Choice with no value left, no rule matching, a loop that never ends. */
export class PathError extends Error {
  override readonly name = 'PathError';
}

/** More transitions than any path of ours makes: a path that loops for ever is a mistake in the path. */
const MAX_TRANSITIONS = 100_000;

/**
 * The transitions of one execution of `definition` along `path`.
 *
 * @throws PathError when the path does not say how to go on, or leads nowhere
 */
export function walkMachine(definition: Json, path: MachinePath): Walk {
  const walk: Walk = { transitions: 0, byState: {}, trace: [], end: 'succeeded' };
  const visits = new Map<string, number>();
  const attempts = new Map<string, number>();
  const outcome = runStates(definition, path, walk, visits, attempts);
  if (outcome.failed) {
    walk.end = 'failed';
    walk.error = outcome.failed;
  }
  return walk;
}

/** Runs the states of a machine or branch from its StartAt; resolves with the error it fails with, if it does. */
function runStates(
  machine: Json,
  path: MachinePath,
  walk: Walk,
  visits: Map<string, number>,
  attempts: Map<string, number>,
): { failed?: string } {
  const states = machine.States as Record<string, Json> | undefined;
  if (!states || typeof machine.StartAt !== 'string') throw new PathError('A definition needs States and StartAt');
  let name: string | undefined = machine.StartAt;
  while (name !== undefined) {
    const state = states[name];
    if (!state) throw new PathError(`No state ${name} in the definition`);
    count(walk, name, name);
    const result = runState(name, state, path, walk, visits, attempts);
    if ('failed' in result) return { failed: result.failed };
    name = result.next;
  }
  return {};
}

/** One state entered: where the execution goes next, or the error it fails with. */
function runState(
  name: string,
  state: Json,
  path: MachinePath,
  walk: Walk,
  visits: Map<string, number>,
  attempts: Map<string, number>,
): { next: string | undefined } | { failed: string } {
  const visit = visits.get(name) ?? 0;
  visits.set(name, visit + 1);
  const onwards = (): { next: string | undefined } => ({ next: state.End === true ? undefined : (state.Next as string) });
  switch (state.Type) {
    case 'Pass':
    case 'Wait':
      return onwards();
    case 'Succeed':
      return { next: undefined };
    case 'Fail':
      return { failed: typeof state.Error === 'string' ? state.Error : 'States.Fail' };
    case 'Choice':
      return { next: choose(name, state, path, visit) };
    case 'Task':
    case 'Parallel':
    case 'Map': {
      // Retry counters start afresh at each entry of the state.
      const retries = ((state.Retry ?? []) as Json[]).map(() => 0);
      for (;;) {
        const error = attempt(name, state, path, walk, visits, attempts, visit);
        if (error === undefined) return onwards();
        const retrier = ((state.Retry ?? []) as Json[]).findIndex((r) => matches(r.ErrorEquals, error, state.Type as string));
        const max = retrier < 0 ? 0 : Number(((state.Retry as Json[])[retrier] as Json).MaxAttempts ?? 3);
        if (retrier >= 0 && (retries[retrier] ?? 0) < max) {
          retries[retrier] = (retries[retrier] ?? 0) + 1;
          count(walk, name, `${name} (retry)`);
          continue;
        }
        const catcher = ((state.Catch ?? []) as Json[]).find((c) => matches(c.ErrorEquals, error, state.Type as string));
        if (catcher) return { next: catcher.Next as string };
        return { failed: error };
      }
    }
    default:
      throw new PathError(`State ${name}: type ${String(state.Type)} is not known`);
  }
}

/** One attempt of a Task, Parallel or Map state; the error it ends with, if any. */
function attempt(
  name: string,
  state: Json,
  path: MachinePath,
  walk: Walk,
  visits: Map<string, number>,
  attempts: Map<string, number>,
  visit: number,
): string | undefined {
  if (state.Type === 'Task') {
    const n = attempts.get(name) ?? 0;
    attempts.set(name, n + 1);
    const outcome = path.outcomes?.[name]?.[n] ?? 'ok';
    return outcome === 'ok' ? undefined : outcome;
  }
  if (state.Type === 'Parallel') {
    for (const branch of (state.Branches ?? []) as Json[]) {
      const { failed } = runStates(branch, path, walk, visits, attempts);
      if (failed) return 'States.BranchFailed';
    }
    return undefined;
  }
  const items = path.mapItems?.[name]?.[visit];
  if (items === undefined) throw new PathError(`Map ${name}: the path gives no item count for visit ${visit + 1}`);
  const processor = (state.ItemProcessor ?? state.Iterator) as Json;
  for (let i = 0; i < items; i++) {
    const { failed } = runStates(processor, path, walk, visits, attempts);
    if (failed) return failed;
  }
  return undefined;
}

function count(walk: Walk, state: string, traced: string): void {
  walk.transitions += 1;
  walk.byState[state] = (walk.byState[state] ?? 0) + 1;
  walk.trace.push(traced);
  if (walk.transitions > MAX_TRANSITIONS) throw new PathError(`The path makes more than ${MAX_TRANSITIONS} transitions: it never ends`);
}

/**
 * Whether an `ErrorEquals` list catches `error`: by name, `States.ALL`, or `States.TaskFailed` (any error of a Task
 * but a timeout).
 */
function matches(errorEquals: unknown, error: string, type: string): boolean {
  const names = (errorEquals ?? []) as string[];
  return (
    names.includes(error) ||
    names.includes('States.ALL') ||
    (type === 'Task' && error !== 'States.Timeout' && names.includes('States.TaskFailed'))
  );
}

/** The state a Choice goes to on its `visit`-th visit (from 0). */
function choose(name: string, state: Json, path: MachinePath, visit: number): string {
  const values = path.choices?.[name];
  if (!values || visit >= values.length) {
    throw new PathError(`Choice ${name}: the path gives no value for visit ${visit + 1}`);
  }
  const value = values[visit] as ChoiceValue;
  const rules = (state.Choices ?? []) as Json[];
  const variables = new Set(rules.flatMap(variablesOf));
  const lookup = (variable: string): unknown => {
    if (value !== null && typeof value === 'object') return variable in value ? value[variable] : undefined;
    if (variables.size > 1) throw new PathError(`Choice ${name} tests ${[...variables].join(', ')}: give an object of values`);
    return value;
  };
  const rule = rules.find((r) => holds(r, lookup));
  const next = (rule?.Next ?? state.Default) as string | undefined;
  if (next === undefined) throw new PathError(`Choice ${name}: no rule matches ${JSON.stringify(value)} and there is no Default`);
  return next;
}

function variablesOf(rule: Json): string[] {
  const nested = [...((rule.And ?? rule.Or ?? []) as Json[]), ...(rule.Not ? [rule.Not as Json] : [])];
  return [...(typeof rule.Variable === 'string' ? [rule.Variable] : []), ...nested.flatMap(variablesOf)];
}

/** Whether a Choice rule holds, its variables read through `lookup`. */
function holds(rule: Json, lookup: (variable: string) => unknown): boolean {
  if (Array.isArray(rule.And)) return (rule.And as Json[]).every((r) => holds(r, lookup));
  if (Array.isArray(rule.Or)) return (rule.Or as Json[]).some((r) => holds(r, lookup));
  if (rule.Not) return !holds(rule.Not as Json, lookup);
  const actual = lookup(String(rule.Variable));
  for (const [key, raw] of Object.entries(rule)) {
    if (key === 'Variable' || key === 'Next') continue;
    const path = key.endsWith('Path') && !key.startsWith('Is');
    const operator = path ? key.slice(0, -'Path'.length) : key;
    const expected = path ? lookup(String(raw)) : raw;
    return compare(operator, actual, expected);
  }
  throw new PathError(`A Choice rule without a comparison: ${JSON.stringify(rule)}`);
}

function compare(operator: string, actual: unknown, expected: unknown): boolean {
  switch (operator) {
    case 'IsPresent':
      return (actual !== undefined) === expected;
    case 'IsNull':
      return (actual === null) === expected;
    case 'IsString':
      return (typeof actual === 'string') === expected;
    case 'IsNumeric':
      return (typeof actual === 'number') === expected;
    case 'IsBoolean':
      return (typeof actual === 'boolean') === expected;
    case 'IsTimestamp':
      return (typeof actual === 'string' && !Number.isNaN(Date.parse(actual))) === expected;
    case 'StringMatches':
      return typeof actual === 'string' && wildcard(String(expected)).test(actual);
  }
  const kind = /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals)$/.exec(operator);
  if (!kind) throw new PathError(`Choice operator ${operator} is not known`);
  const [, type, relation] = kind;
  const typed = (v: unknown) => (type === 'Timestamp' ? Date.parse(String(v)) : v);
  const typeOk =
    (type === 'String' || type === 'Timestamp') ? typeof actual === 'string' : type === 'Numeric' ? typeof actual === 'number' : typeof actual === 'boolean';
  if (!typeOk) return false;
  const [a, b] = [typed(actual), typed(expected)] as [number | string | boolean, number | string | boolean];
  switch (relation) {
    case 'Equals':
      return a === b;
    case 'LessThan':
      return a < b;
    case 'GreaterThan':
      return a > b;
    case 'LessThanEquals':
      return a <= b;
    default:
      return a >= b;
  }
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}
