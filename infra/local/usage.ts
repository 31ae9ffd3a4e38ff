import type { IncomingMessage } from 'node:http';
import type { DynamoDbMeter, DynamoDbOperationUsage, ItemSizes } from './engines/dynamodb-meter.ts';
import type { PartitionWriteCounts } from './engines/partition-writes.ts';
import { functionCredentials } from './iam/local-credentials.ts';
import type { FunctionHost } from './lambda-host.ts';
import type { LocalStepFunctions } from './step-functions/local-step-functions.ts';

/**
 * What the local runtime has done so far, in the units AWS bills: Lambda invocations and their durations, state
 * transitions and executions, DynamoDB request units, S3 requests and HTTP API requests. Two snapshots taken around a
 * piece of work give what that work used ({@link usageBetween}); the cost model (`npm run cost`) prices it.
 */
export interface UsageSnapshot {
  /** By function (logical id): invocations started, and the durations of those that finished (ms). */
  functions: Record<string, { invocations: number; durationsMs: number[] }>;
  /** By state machine name: executions started. */
  executions: Record<string, number>;
  /** By state machine name, then state name: transitions (states entered and retries). */
  transitions: Record<string, Record<string, number>>;
  /** By caller (a function's logical id, or `runtime` for the runtime's own calls and the sources), then operation. */
  dynamodb: Record<string, Record<string, DynamoDbOperationUsage>>;
  /** Sizes of the items put, by their `entity` attribute. */
  itemSizes: Record<string, ItemSizes>;
  /** By caller (the access key that signed the request or the presigned URL), then S3 operation. */
  s3: Record<string, Record<string, number>>;
  /** HTTP API requests by route key. */
  api: Record<string, number>;
}

/** The caller name of the runtime's own calls (and of every function when they run from the sources). */
export const RUNTIME_CALLER = 'runtime';

/**
 * Counts what the local runtime's engines are asked to do. DynamoDB comes from the metering proxy (`dynamodb-meter.ts`);
 * S3 and API requests are counted as the runtime hands them on; functions and state machines are read off their hosts.
 */
export class LocalUsage {
  private readonly s3Requests: Record<string, Record<string, number>> = {};
  private readonly apiRequests: Record<string, number> = {};
  private readonly callerOfKey = new Map<string, string>();

  constructor(
    private readonly parts: {
      functions: FunctionHost;
      stepFunctions: LocalStepFunctions;
      /** State machine ARN → name. */
      machineName: (arn: string) => string;
      dynamodb: DynamoDbMeter;
    },
  ) {
    for (const id of parts.functions.functionIds()) this.callerOfKey.set(functionCredentials(id).accessKeyId, id);
  }

  /** Counts one request of the local S3 (an SDK call, or a presigned URL used by a client). */
  countS3(request: Pick<IncomingMessage, 'method' | 'url' | 'headers'>): void {
    const caller = this.callerOf(s3AccessKey(request));
    const operation = s3Operation(request);
    const calls = (this.s3Requests[caller] ??= {});
    calls[operation] = (calls[operation] ?? 0) + 1;
  }

  /** Item writes per partition key, when the runtime counts them (`countPartitionWrites`). */
  partitionWrites(): PartitionWriteCounts | undefined {
    return this.parts.dynamodb.partitionWrites();
  }

  /** Counts one request of the HTTP API. */
  countApi(routeKey: string): void {
    this.apiRequests[routeKey] = (this.apiRequests[routeKey] ?? 0) + 1;
  }

  snapshot(): UsageSnapshot {
    const { functions, stepFunctions, machineName, dynamodb } = this.parts;
    const durations = functions.durations();
    const fns: UsageSnapshot['functions'] = {};
    for (const [id, invocations] of functions.invocations()) fns[id] = { invocations, durationsMs: [...(durations.get(id) ?? [])] };
    const transitions: UsageSnapshot['transitions'] = {};
    for (const [arn, byState] of stepFunctions.transitions()) transitions[machineName(arn)] = Object.fromEntries(byState);
    const executions: UsageSnapshot['executions'] = {};
    for (const [arn, count] of stepFunctions.executionsStarted()) executions[machineName(arn)] = count;
    const usage = dynamodb.usage();
    const byCaller: UsageSnapshot['dynamodb'] = {};
    for (const [key, ops] of Object.entries(usage.byCaller)) {
      const caller = this.callerOf(key);
      byCaller[caller] = caller in byCaller ? mergeOperations(byCaller[caller] ?? {}, ops) : ops;
    }
    return {
      functions: fns,
      executions,
      transitions,
      dynamodb: byCaller,
      itemSizes: usage.itemSizes,
      s3: structuredClone(this.s3Requests),
      api: { ...this.apiRequests },
    };
  }

  private callerOf(accessKeyId: string | undefined): string {
    return this.callerOfKey.get(accessKeyId ?? '') ?? RUNTIME_CALLER;
  }
}

/** What was used between two snapshots of the same runtime. */
export function usageBetween(before: UsageSnapshot, after: UsageSnapshot): UsageSnapshot {
  const functions: UsageSnapshot['functions'] = {};
  for (const [id, f] of Object.entries(after.functions)) {
    const b = before.functions[id] ?? { invocations: 0, durationsMs: [] };
    if (f.invocations > b.invocations) functions[id] = { invocations: f.invocations - b.invocations, durationsMs: f.durationsMs.slice(b.durationsMs.length) };
  }
  const transitions: UsageSnapshot['transitions'] = {};
  for (const [machine, byState] of Object.entries(after.transitions)) {
    const diff = subtractCounts(byState, before.transitions[machine] ?? {});
    if (Object.keys(diff).length > 0) transitions[machine] = diff;
  }
  const dynamodb: UsageSnapshot['dynamodb'] = {};
  for (const [caller, ops] of Object.entries(after.dynamodb)) {
    const diff: Record<string, DynamoDbOperationUsage> = {};
    for (const [op, usage] of Object.entries(ops)) {
      const b = before.dynamodb[caller]?.[op];
      const d = b ? subtractOperation(usage, b) : usage;
      if (d.requests > 0) diff[op] = d;
    }
    if (Object.keys(diff).length > 0) dynamodb[caller] = diff;
  }
  const itemSizes: UsageSnapshot['itemSizes'] = {};
  for (const [entity, s] of Object.entries(after.itemSizes)) {
    const b = before.itemSizes[entity] ?? { count: 0, totalBytes: 0, maxBytes: 0 };
    // The largest of the period is not known from two totals; the largest so far is an upper bound.
    if (s.count > b.count) itemSizes[entity] = { count: s.count - b.count, totalBytes: s.totalBytes - b.totalBytes, maxBytes: s.maxBytes };
  }
  const s3: UsageSnapshot['s3'] = {};
  for (const [caller, ops] of Object.entries(after.s3)) {
    const diff = subtractCounts(ops, before.s3[caller] ?? {});
    if (Object.keys(diff).length > 0) s3[caller] = diff;
  }
  return {
    functions,
    executions: subtractCounts(after.executions, before.executions),
    transitions,
    dynamodb,
    itemSizes,
    s3,
    api: subtractCounts(after.api, before.api),
  };
}

function subtractCounts(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
      .filter(([, v]) => v > 0),
  );
}

function subtractOperation(a: DynamoDbOperationUsage, b: DynamoDbOperationUsage): DynamoDbOperationUsage {
  return {
    requests: a.requests - b.requests,
    readUnits: a.readUnits - b.readUnits,
    writeUnits: a.writeUnits - b.writeUnits,
    indexUnits: subtractCounts(a.indexUnits, b.indexUnits),
    refusedWrites: a.refusedWrites - b.refusedWrites,
    cancelledTransactions: a.cancelledTransactions - b.cancelledTransactions,
    cancelledTransactionItems: a.cancelledTransactionItems - b.cancelledTransactionItems,
  };
}

/** The two per-operation usages added up (neither is changed). */
export function mergeOperations(
  a: Record<string, DynamoDbOperationUsage>,
  b: Record<string, DynamoDbOperationUsage>,
): Record<string, DynamoDbOperationUsage> {
  const out = structuredClone(a);
  for (const [op, u] of Object.entries(b)) {
    const o = out[op];
    if (!o) {
      out[op] = structuredClone(u);
      continue;
    }
    o.requests += u.requests;
    o.readUnits += u.readUnits;
    o.writeUnits += u.writeUnits;
    o.refusedWrites += u.refusedWrites;
    o.cancelledTransactions += u.cancelledTransactions;
    o.cancelledTransactionItems += u.cancelledTransactionItems;
    for (const [index, units] of Object.entries(u.indexUnits)) o.indexUnits[index] = (o.indexUnits[index] ?? 0) + units;
  }
  return out;
}

function s3AccessKey(request: Pick<IncomingMessage, 'url' | 'headers'>): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') return /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
  return new URL(request.url ?? '/', 'http://local').searchParams.get('X-Amz-Credential')?.split('/')[0];
}

/**
 * The S3 operation of a path-style request, named as S3 prices it: `PUT`, `COPY`, `POST` and `LIST` requests in one
 * tier, `GET` and `HEAD` (and the rest) in the other; `DELETE` is free.
 */
export function s3Operation(request: Pick<IncomingMessage, 'method' | 'url' | 'headers'>): string {
  const url = new URL(request.url ?? '/', 'http://local');
  const [, key = ''] = url.pathname.slice(1).split(/\/(.*)/s);
  const method = (request.method ?? 'GET').toUpperCase();
  if (method === 'PUT' && request.headers['x-amz-copy-source'] !== undefined) return 'COPY';
  if (method === 'GET' && key === '') return 'LIST';
  return method;
}
