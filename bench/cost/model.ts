import type { DynamoDbOperationUsage } from '../../infra/local/engines/dynamodb-meter.ts';
import { mergeOperations, RUNTIME_CALLER, type UsageSnapshot } from '../../infra/local/usage.ts';
import { type Walk, walkMachine } from './asl-walk.ts';
import type { PathRun } from './drive.ts';
import { type CostPath, ENDPOINTS } from './paths.ts';
import { cost, type PriceList } from './prices.ts';
import { shortName, type TemplateFacts } from './template-facts.ts';

/**
 * The cost of a path: the state transitions the template's definitions make along it (walked, not measured), and
 * everything else as the local run measured it (invocations and their durations, DynamoDB request units, S3 and API
 * requests, log bytes, bytes out), priced with the price list.
 */

export type Component =
  | 'Step Functions'
  | 'Lambda'
  | 'DynamoDB'
  | 'HTTP API'
  | 'S3'
  | 'CloudWatch Logs'
  | 'X-Ray'
  | 'Data transfer out';

export const COMPONENTS: readonly Component[] = ['Step Functions', 'Lambda', 'DynamoDB', 'HTTP API', 'S3', 'CloudWatch Logs', 'X-Ray', 'Data transfer out'];

/** A quantity of one run of the path (scaled to 1,000 units when printed). */
export interface Amount {
  value: number;
  unit: string;
}

export interface CostLine {
  component: Component;
  item: string;
  amounts: Amount[];
  /** Said once, not scaled (a function's average duration, its memory). */
  note?: string;
  /** USD for one run of the path. */
  usd: number;
}

export interface PathCost {
  id: string;
  title: string;
  per: string;
  /** Units one run of the path makes. */
  units: number;
  lines: CostLine[];
  /** USD per 1,000 units. */
  perThousand: number;
  /** State transitions by state machine name: the model's walk, and what the local engine counted. */
  transitions: { model: Record<string, Walk>; engine: Record<string, Record<string, number>> };
  /** What the model left out of this figure, said next to it. */
  caveats: string[];
}

/**
 * The transitions the model predicts for one run of `path`, by state machine name (each execution walked). Webhook
 * deliveries add none: their first attempts, which succeed on the paths, are the dispatcher's, without an execution.
 */
export function modelTransitions(path: CostPath, facts: TemplateFacts): Record<string, Walk> {
  const byMachine: Record<string, Walk> = {};
  for (const { machine, count, path: machinePath } of path.executions) {
    if (count === 0) continue;
    const { name, definition } = facts.machines[machine];
    const one = walkMachine(definition, machinePath);
    const total = (byMachine[name] ??= { transitions: 0, byState: {}, trace: [], end: 'succeeded' });
    total.transitions += one.transitions * count;
    for (const [state, n] of Object.entries(one.byState)) total.byState[state] = (total.byState[state] ?? 0) + n * count;
    total.trace.push(...one.trace);
  }
  return byMachine;
}

/** Prices one measured run of its path. */
export function pricePath(run: PathRun, facts: TemplateFacts, prices: PriceList): PathCost {
  const model = modelTransitions(run.path, facts);
  const lines = [
    ...stepFunctionsLines(model, run.usage, facts, prices),
    ...lambdaLines(run.usage, facts, prices),
    ...dynamoDbLines(mergeCallers(run.usage.dynamodb), prices),
    ...apiLines(run.usage, prices),
    ...s3Lines(run.usage, prices),
    ...logLines(run, prices),
    ...xrayLines(run.usage, facts, prices),
    ...dataOutLines(run.bytesOut.api + run.bytesOut.webhooks + run.bytesOut.downloads, prices),
  ];
  return finish(run.path, lines, { model, engine: run.usage.transitions }, caveatsOf(run));
}

/**
 * One webhook delivery (an event to one endpoint) whose first attempt succeeds, cut out of a measured run: the
 * dispatcher's invocations (it makes the attempt) and DynamoDB units, and the delivery task's and executions if any ran
 * (none should: the check compares them with the model's zero), the webhook bytes. DynamoDB is attributed to functions
 * only when they sign with their own keys (`LOCAL_HANDLERS=bundled`).
 */
export function priceDelivery(run: PathRun, facts: TemplateFacts, prices: PriceList): PathCost {
  const delivery = facts.machines.delivery;
  const definition = JSON.stringify(delivery.definition);
  // The dispatcher (the stream's consumer that starts deliveries) and the delivery machine's task functions.
  const deliveryFunctions = new Set(
    [...facts.functions]
      .filter(([id, f]) => f.entry === 'functions/events/dispatch-events.ts' || definition.includes(`:function:${id}"`))
      .map(([id]) => id),
  );
  const deliveries = run.path.events.length * ENDPOINTS;
  const usage: UsageSnapshot = {
    functions: Object.fromEntries(Object.entries(run.usage.functions).filter(([id]) => deliveryFunctions.has(id))),
    executions: { [delivery.name]: run.usage.executions[delivery.name] ?? 0 },
    transitions: { [delivery.name]: run.usage.transitions[delivery.name] ?? {} },
    dynamodb: Object.fromEntries(Object.entries(run.usage.dynamodb).filter(([caller]) => deliveryFunctions.has(caller))),
    itemSizes: {},
    s3: {},
    api: {},
  };
  const path: CostPath = {
    id: 'webhook-delivery',
    title: 'webhook delivery: one event to one endpoint, first attempt succeeds (out of the happy run)',
    per: 'delivery',
    units: deliveries,
    executions: [],
    events: Array.from({ length: run.path.events.length }, () => 'application.created'),
  };
  const model = modelTransitions(path, facts);
  // From the sources every function calls DynamoDB with the runtime's key: nothing to cut out.
  const attributed = Object.keys(run.usage.dynamodb).some((caller) => caller !== RUNTIME_CALLER);
  const lines = [
    ...stepFunctionsLines(model, usage, facts, prices),
    ...lambdaLines(usage, facts, prices),
    ...dynamoDbLines(mergeCallers(usage.dynamodb), prices),
    ...logLines({ usage, logs: { lines: 0, bytes: 0 } }, prices),
    ...xrayLines(usage, facts, prices),
    ...dataOutLines(run.bytesOut.webhooks, prices, 'webhooks'),
  ];
  return finish(path, lines, { model, engine: usage.transitions }, [
    ...(attributed ? [] : ['no DynamoDB: calls are told apart by function only with LOCAL_HANDLERS=bundled']),
    'the functions’ own log lines are not told apart by function',
  ]);
}

function finish(path: CostPath, lines: CostLine[], transitions: PathCost['transitions'], caveats: string[]): PathCost {
  const total = lines.reduce((sum, l) => sum + l.usd, 0);
  return { id: path.id, title: path.title, per: path.per, units: path.units, lines, perThousand: (total * 1000) / path.units, transitions, caveats };
}

function caveatsOf(run: PathRun): string[] {
  const expected = run.path.events.length * ENDPOINTS;
  return run.events.length === expected ? [] : [`${run.events.length} webhooks arrived where the path expects ${expected}`];
}

function stepFunctionsLines(model: Record<string, Walk>, usage: UsageSnapshot, facts: TemplateFacts, prices: PriceList): CostLine[] {
  return Object.values(facts.machines).flatMap(({ name, type }) => {
    const walk = model[name];
    if (!walk) return [];
    if (type === 'STANDARD') {
      return [{ component: 'Step Functions', item: `${name} (Standard)`, amounts: [{ value: walk.transitions, unit: 'transitions' }], usd: cost(prices, 'stepFunctionsStandardTransition', walk.transitions) }];
    }
    // Express bills requests and duration (64 MB chunks, 100 ms steps): the duration is taken as its tasks' time.
    const executions = usage.executions[name] ?? 0;
    const taskMs = Object.entries(usage.functions)
      .filter(([id]) => facts.taskFunctions.has(id))
      .flatMap(([, f]) => f.durationsMs)
      .reduce((a, b) => a + b, 0);
    const gbSeconds = (Math.ceil(taskMs / 100) / 10) * (64 / 1024);
    return [
      {
        component: 'Step Functions',
        item: `${name} (Express)`,
        amounts: [{ value: executions, unit: 'executions' }, { value: gbSeconds, unit: 'GB-s' }],
        usd: cost(prices, 'stepFunctionsExpressRequest', executions) + cost(prices, 'stepFunctionsExpressGbSecond', gbSeconds),
      },
    ];
  });
}

function lambdaLines(usage: UsageSnapshot, facts: TemplateFacts, prices: PriceList): CostLine[] {
  return Object.entries(usage.functions)
    .map(([id, f]): CostLine => {
      const fn = facts.functions.get(id) ?? { name: shortName(id), memoryMb: 128, architecture: 'x86_64' as const };
      // Lambda bills each invocation's duration rounded up to the millisecond.
      const billedMs = f.durationsMs.reduce((sum, ms) => sum + Math.ceil(ms), 0);
      const gbSeconds = (billedMs / 1000) * (fn.memoryMb / 1024);
      const average = f.durationsMs.length === 0 ? 0 : billedMs / f.durationsMs.length;
      return {
        component: 'Lambda',
        item: fn.name,
        amounts: [{ value: f.invocations, unit: 'invocations' }, { value: gbSeconds, unit: 'GB-s' }],
        note: `${Math.round(average)} ms avg, ${fn.memoryMb} MB ${fn.architecture}`,
        usd:
          cost(prices, 'lambdaRequest', f.invocations) +
          cost(prices, fn.architecture === 'arm64' ? 'lambdaArmGbSecond' : 'lambdaX86GbSecond', gbSeconds),
      };
    })
    .sort((a, b) => b.usd - a.usd);
}

function mergeCallers(byCaller: UsageSnapshot['dynamodb']): Record<string, DynamoDbOperationUsage> {
  return Object.values(byCaller).reduce<Record<string, DynamoDbOperationUsage>>(mergeOperations, {});
}

function dynamoDbLines(byOperation: Record<string, DynamoDbOperationUsage>, prices: PriceList): CostLine[] {
  const refusedUnits = prices.assumptions.refusedWriteUnits.value;
  return Object.entries(byOperation)
    .map(([op, u]): CostLine => {
      // Refused writes consumed units DynamoDB Local does not report: the assumption's per write, twice per transaction item.
      const writes = u.writeUnits + u.refusedWrites * refusedUnits + u.cancelledTransactionItems * 2 * refusedUnits;
      const indexes = Object.entries(u.indexUnits).map(([index, units]) => `${index} ${units}`).join(', ');
      const amounts: Amount[] = [{ value: u.requests, unit: 'requests' }];
      if (writes > 0) amounts.push({ value: writes, unit: 'WRU' });
      if (u.readUnits > 0) amounts.push({ value: u.readUnits, unit: 'RRU' });
      const notes = [
        ...(indexes ? [`indexes: ${indexes} units`] : []),
        ...(u.refusedWrites + u.cancelledTransactions > 0 ? [`${u.refusedWrites + u.cancelledTransactions} refused, their units estimated`] : []),
      ];
      return {
        component: 'DynamoDB',
        item: op,
        amounts,
        ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
        usd: cost(prices, 'dynamodbWriteRequestUnit', writes) + cost(prices, 'dynamodbReadRequestUnit', u.readUnits),
      };
    })
    .sort((a, b) => b.usd - a.usd);
}

function apiLines(usage: UsageSnapshot, prices: PriceList): CostLine[] {
  return Object.entries(usage.api).map(([route, n]) => ({
    component: 'HTTP API',
    item: route,
    amounts: [{ value: n, unit: 'requests' }],
    usd: cost(prices, 'httpApiRequest', n),
  }));
}

const S3_PUT_TIER = new Set(['PUT', 'COPY', 'POST', 'LIST']);

function s3Lines(usage: UsageSnapshot, prices: PriceList): CostLine[] {
  let put = 0;
  let get = 0;
  for (const ops of Object.values(usage.s3)) {
    for (const [op, n] of Object.entries(ops)) {
      if (S3_PUT_TIER.has(op)) put += n;
      else if (op !== 'DELETE') get += n;
    }
  }
  return [
    ...(put > 0 ? [{ component: 'S3' as const, item: 'PUT, COPY, POST, LIST', amounts: [{ value: put, unit: 'requests' }], usd: cost(prices, 's3PutRequest', put) }] : []),
    ...(get > 0 ? [{ component: 'S3' as const, item: 'GET, HEAD', amounts: [{ value: get, unit: 'requests' }], usd: cost(prices, 's3GetRequest', get) }] : []),
  ];
}

function logLines(run: Pick<PathRun, 'usage' | 'logs'>, prices: PriceList): CostLine[] {
  const { lambdaPlatformLogBytesPerInvocation: platform, logEventOverheadBytes: overhead } = prices.assumptions;
  const invocations = Object.values(run.usage.functions).reduce((sum, f) => sum + f.invocations, 0);
  const platformBytes = invocations * (platform.value + 3 * overhead.value);
  const ownBytes = run.logs.bytes + run.logs.lines * overhead.value;
  const gb = (bytes: number) => bytes / 1e9;
  return [
    {
      component: 'CloudWatch Logs',
      item: 'Lambda START/END/REPORT lines',
      amounts: [{ value: platformBytes / 1000, unit: 'KB' }],
      usd: cost(prices, 'logsIngestionGb', gb(platformBytes)),
    },
    {
      component: 'CloudWatch Logs',
      item: 'the functions’ own log lines',
      amounts: [{ value: run.logs.lines, unit: 'lines' }, { value: ownBytes / 1000, unit: 'KB' }],
      usd: cost(prices, 'logsIngestionGb', gb(ownBytes)),
    },
  ];
}

function xrayLines(usage: UsageSnapshot, facts: TemplateFacts, prices: PriceList): CostLine[] {
  // A trace starts at each execution and at each invocation not made by a state machine task (those join its trace).
  const entries =
    Object.values(usage.executions).reduce((a, b) => a + b, 0) +
    Object.entries(usage.functions)
      .filter(([id]) => !facts.taskFunctions.has(id))
      .reduce((sum, [, f]) => sum + f.invocations, 0);
  const traces = entries * prices.assumptions.xraySampledShare.value;
  return [{ component: 'X-Ray', item: 'traces recorded (sampled)', amounts: [{ value: traces, unit: 'traces' }], usd: cost(prices, 'xrayTraceRecorded', traces) }];
}

function dataOutLines(bytes: number, prices: PriceList, what = 'API answers, webhooks, downloads'): CostLine[] {
  if (bytes === 0) return [];
  return [
    {
      component: 'Data transfer out',
      item: what,
      amounts: [{ value: bytes / 1000, unit: 'KB' }],
      usd: cost(prices, 'dataTransferOutGb', bytes / 1e9),
    },
  ];
}
