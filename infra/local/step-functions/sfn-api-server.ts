/**
 * The subset of the Step Functions API the application uses, served over HTTP from a {@link LocalStepFunctions}, so
 * the unchanged `SFNClient` works against it (`endpoint`, or `AWS_ENDPOINT_URL_SFN`).
 *
 * The wire format is AWS's `awsJson1_0`: `POST /` with `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON body;
 * timestamps are epoch seconds; errors are HTTP 400 with `{"__type": "com.amazonaws.states#<Code>", "message"}`, from
 * which the SDK builds its exception classes (`TaskDoesNotExist`, `ExecutionAlreadyExists`…). There is no signature
 * check (any credentials do), which is why it listens on loopback only.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StepFunctionsApiError } from './errors.ts';
import type { ExecutionStatus, LocalStepFunctions } from './local-step-functions.ts';

export interface SfnApiServerOptions {
  /** A loopback address; default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
  /**
   * Step Functions' StartExecution quota, enforced as AWS does it: a bucket of `burst` calls refilled at `rate` a
   * second for the whole API, a call beyond it answered `ThrottlingException` (in AWS: ~1,300 and ~300 in the largest
   * regions). Unset: no quota. Changeable while serving (`setStartExecutionQuota`), so a test can throttle for a while.
   */
  startExecutionQuota?: StartExecutionQuota;
  /** Epoch ms, for the quota and the call log; the machine's clock by default. */
  now?: () => number;
}

export interface StartExecutionQuota {
  rate: number;
  burst: number;
}

/** One StartExecution call as the API answered it. */
export interface StartExecutionCall {
  /** Epoch ms of the answer. */
  at: number;
  name: string;
  outcome: 'started' | 'exists' | 'throttled' | 'failed';
}

export interface SfnApiServer {
  /** E.g. `http://127.0.0.1:53124`, for `new SFNClient({ endpoint: url })`. */
  url: string;
  /** Every StartExecution call answered so far, in order (to count calls a second: what the AWS quota counts). */
  startExecutionCalls: readonly StartExecutionCall[];
  /** Sets or (undefined) lifts the StartExecution quota from now on; the bucket starts full. */
  setStartExecutionQuota(quota: StartExecutionQuota | undefined): void;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
const MAX_BODY_BYTES = 1024 * 1024;
const TARGET_PREFIX = 'AWSStepFunctions.';

type Body = Record<string, unknown>;

/** The protocol's own errors, which are not Step Functions error codes. */
class ProtocolError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/**
 * Starts the HTTP server in front of `sfn`.
 *
 * @throws Error when `host` is not a loopback address (the server checks no credentials)
 */
export async function startSfnApiServer(sfn: LocalStepFunctions, options: SfnApiServerOptions = {}): Promise<SfnApiServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new Error(`The local Step Functions API checks no credentials; it only listens on loopback, not ${host}`);
  }
  const log = options.log ?? (() => undefined);
  const quota = new QuotaBucket(options.now ?? Date.now, options.startExecutionQuota);
  const operations = operationsOf(sfn, quota);

  const server = createServer((request, response) => {
    void handle(request, response, operations, log);
  });
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    startExecutionCalls: quota.calls,
    setStartExecutionQuota: (next) => quota.set(next),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  operations: Record<string, (body: Body) => unknown>,
  log: NonNullable<SfnApiServerOptions['log']>,
): Promise<void> {
  const target = String(request.headers['x-amz-target'] ?? '');
  try {
    if (request.method !== 'POST') {
      throw new ProtocolError('UnknownOperationException', `Only POST is supported, not ${request.method}`);
    }
    const operation = target.startsWith(TARGET_PREFIX) ? operations[target.slice(TARGET_PREFIX.length)] : undefined;
    if (operation === undefined) {
      throw new ProtocolError('UnknownOperationException', `Unknown operation ${target || '(no X-Amz-Target)'}`);
    }
    const result = operation(await readJson(request));
    send(response, 200, toWire(result));
  } catch (error) {
    if (error instanceof StepFunctionsApiError) {
      send(response, 400, { __type: `com.amazonaws.states#${error.name}`, message: error.message });
    } else if (error instanceof ProtocolError) {
      send(response, error.status, { __type: error.type, message: error.message });
    } else {
      log('sfn api internal error', { target, error: String(error) });
      send(response, 500, { __type: 'InternalFailure', message: 'Internal failure of the local Step Functions API' });
    }
  }
}

/** The most of `times` (epoch ms) in any window of `windowMs` (each window starting at one of them): calls per second. */
export function busiestWindow(times: readonly number[], windowMs = 1_000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let last = 0, first = 0; last < sorted.length; last++) {
    while ((sorted[last] as number) - (sorted[first] as number) >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** Calls the log keeps (the oldest half is dropped beyond it: a long `npm start` must not grow without end). */
const MAX_LOGGED_CALLS = 200_000;

/** The StartExecution quota's bucket, and the log of every StartExecution call. */
class QuotaBucket {
  readonly calls: StartExecutionCall[] = [];
  private tokens = 0;
  private at = 0;

  constructor(
    private readonly now: () => number,
    private quota: StartExecutionQuota | undefined,
  ) {
    this.set(quota);
  }

  set(quota: StartExecutionQuota | undefined): void {
    this.quota = quota;
    this.tokens = quota?.burst ?? 0;
    this.at = this.now();
  }

  /** Whether a call may go through now (it takes a token when it may). */
  take(): boolean {
    if (!this.quota) return true;
    const now = this.now();
    this.tokens = Math.min(this.quota.burst, this.tokens + ((now - this.at) * this.quota.rate) / 1000);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Runs one StartExecution call under the quota, logging how it was answered. */
  call<T>(name: string, start: () => T): T {
    const log = (outcome: StartExecutionCall['outcome']) => {
      if (this.calls.length >= MAX_LOGGED_CALLS) this.calls.splice(0, MAX_LOGGED_CALLS / 2);
      this.calls.push({ at: this.now(), name, outcome });
    };
    if (!this.take()) {
      log('throttled');
      throw new StepFunctionsApiError('ThrottlingException', 'Rate exceeded');
    }
    try {
      const started = start();
      log('started');
      return started;
    } catch (error) {
      log(error instanceof StepFunctionsApiError && error.name === 'ExecutionAlreadyExists' ? 'exists' : 'failed');
      throw error;
    }
  }
}

/** The operations by name, their request members read as the SDK sends them. */
function operationsOf(sfn: LocalStepFunctions, quota: QuotaBucket): Record<string, (body: Body) => unknown> {
  return {
    StartExecution: (body) =>
      quota.call(String(body.name ?? ''), () =>
        sfn.startExecution({
          stateMachineArn: required(body, 'stateMachineArn'),
          ...optional(body, 'name', 'input'),
        }),
      ),
    DescribeExecution: (body) => sfn.describeExecution(required(body, 'executionArn')),
    ListExecutions: (body) =>
      sfn.listExecutions({
        stateMachineArn: required(body, 'stateMachineArn'),
        ...optional(body, 'nextToken'),
        ...(typeof body.statusFilter === 'string' ? { statusFilter: body.statusFilter as ExecutionStatus } : {}),
        ...(typeof body.maxResults === 'number' ? { maxResults: body.maxResults } : {}),
      }),
    StopExecution: (body) => sfn.stopExecution({ executionArn: required(body, 'executionArn'), ...optional(body, 'error', 'cause') }),
    SendTaskSuccess: (body) => sfn.sendTaskSuccess({ taskToken: required(body, 'taskToken'), output: required(body, 'output') }),
    SendTaskFailure: (body) => sfn.sendTaskFailure({ taskToken: required(body, 'taskToken'), ...optional(body, 'error', 'cause') }),
    SendTaskHeartbeat: (body) => sfn.sendTaskHeartbeat({ taskToken: required(body, 'taskToken') }),
  };
}

function required(body: Body, member: string): string {
  const value = body[member];
  if (typeof value !== 'string') {
    throw new StepFunctionsApiError('ValidationException', `1 validation error detected: '${member}' must not be null`);
  }
  return value;
}

function optional<K extends string>(body: Body, ...members: K[]): Partial<Record<K, string>> {
  const present = members.filter((member) => typeof body[member] === 'string');
  return Object.fromEntries(present.map((member) => [member, body[member]])) as Partial<Record<K, string>>;
}

async function readJson(request: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new ProtocolError('SerializationException', 'Request body too large', 413);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') {
    return {};
  }
  try {
    const body: unknown = JSON.parse(text);
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
      return body as Body;
    }
  } catch {
    // answered below
  }
  throw new ProtocolError('SerializationException', 'The request body is not a JSON object');
}

/** Dates go on the wire as epoch seconds, as `awsJson1_0` wants them. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) {
    return value.getTime() / 1000;
  }
  if (Array.isArray(value)) {
    return value.map(toWire);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, toWire(member)]));
  }
  return value;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}
