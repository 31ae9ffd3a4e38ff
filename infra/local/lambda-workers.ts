import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { log } from '../../shared/log.ts';
import { type FunctionConfiguration, functionEnvironment } from './function-environment.ts';
import { type CrashDraw, withCrashes } from './invocation-crashes.ts';
import { type FunctionHost, InvocationRecords } from './lambda-host.ts';
import { type CfnTemplate, localLambdaArn } from './step-functions/template.ts';

/** A bundled function as one local Lambda instance runs it. */
export interface WorkerFunction {
  logicalId: string;
  /** The module holding the handler: `<asset directory>/index.mjs` for `Handler: index.handler`. */
  file: string;
  /** The handler's export: `handler` for `Handler: index.handler`. */
  exportName: string;
  /** The worker's whole `process.env`. */
  env: Record<string, string>;
  /** Node options for the worker (from `NODE_OPTIONS`, e.g. `--enable-source-maps`). */
  execArgv: string[];
  memorySize: number;
  timeoutSeconds: number;
}

/** The file extensions Lambda's Node.js runtime tries for a handler's module, in its order. */
const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs'];

/**
 * The bundled functions of a cloud assembly (`cdk.out`), each ready to run as Lambda would: its code from the asset
 * directory its `aws:asset:path` metadata names, its handler from `Handler`, its environment from
 * {@link functionEnvironment} (the template's variables, what Lambda provides, then `overrides`).
 *
 * @throws Error when a function has no bundled asset, or its handler's module is not in it
 */
export function readWorkerFunctions(
  assemblyDirectory: string,
  service: CfnTemplate,
  configurations: Map<string, FunctionConfiguration>,
  overrides: Record<string, string>,
): Map<string, WorkerFunction> {
  const functions = new Map<string, WorkerFunction>();
  for (const configuration of configurations.values()) {
    const { logicalId, handler } = configuration;
    const asset = service.Resources?.[logicalId]?.Metadata?.['aws:asset:path'];
    if (typeof asset !== 'string') throw new Error(`Function ${logicalId} has no bundled asset (aws:asset:path): synthesize with bundling`);
    const taskRoot = join(assemblyDirectory, asset);
    const dot = handler.lastIndexOf('.');
    const [modulePath, exportName] = [handler.slice(0, dot), handler.slice(dot + 1)];
    const file = MODULE_EXTENSIONS.map((ext) => join(taskRoot, `${modulePath}${ext}`)).find((f) => existsSync(f));
    if (dot <= 0 || !file) throw new Error(`Function ${logicalId}: no module for handler ${handler} in ${taskRoot}`);
    const env = functionEnvironment(configuration, taskRoot, overrides);
    functions.set(logicalId, {
      logicalId,
      file,
      exportName,
      env,
      execArgv: (env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean),
      memorySize: configuration.memorySize,
      timeoutSeconds: configuration.timeoutSeconds,
    });
  }
  return functions;
}

/** An error as Lambda reports it: the thrown error's `name` as `errorType`. */
interface LambdaError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

type FromWorker =
  | { type: 'ready' }
  | { type: 'init-error'; error: LambdaError }
  | { type: 'result'; id: string; result: string; durationMs: number }
  | { type: 'error'; id: string; error: LambdaError; durationMs: number };

/** The error a caller of {@link LambdaWorkers.invoke} sees: `name` is Lambda's `errorType`. */
function rethrown({ errorType, errorMessage, trace }: LambdaError): Error {
  const error = new Error(errorMessage);
  error.name = errorType;
  if (trace.length > 0) error.stack = trace.join('\n');
  return error;
}

const WORKER_FILE = new URL('./lambda-worker.mjs', import.meta.url);

function startWorker(fn: WorkerFunction): Worker {
  const options = {
    workerData: { file: fn.file, exportName: fn.exportName },
    env: fn.env,
    // Lambda's memory setting bounds the whole instance; the heap is what a worker can be held to.
    resourceLimits: { maxOldGenerationSizeMb: fn.memorySize },
  };
  try {
    return new Worker(WORKER_FILE, { ...options, execArgv: fn.execArgv });
  } catch (error) {
    // Options a worker cannot take (per-process ones): the function runs without them rather than not at all.
    if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    log.warn('local function: NODE_OPTIONS not applicable to a worker thread, ignored', { functionId: fn.logicalId, execArgv: fn.execArgv });
    return new Worker(WORKER_FILE, options);
  }
}

/** One running instance of a function: its worker, and the invocations it has not answered yet. */
class Instance {
  readonly ready: Promise<void>;
  private readonly pending = new Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly worker: Worker;
  private exited: Error | undefined;

  constructor(
    fn: WorkerFunction,
    private readonly onExit: () => void,
    /** Told how long each invocation ran, as the worker measured it. */
    private readonly onDuration: (ms: number) => void,
  ) {
    this.worker = startWorker(fn);
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'init-error') {
          // Lambda tries the initialisation again on the next invocation, in a new instance.
          reject(rethrown(message.error));
          void this.worker.terminate();
        } else this.settle(message);
      });
      // The instance died (an uncaught exception, out of memory): Lambda reports Runtime.ExitError to the waiting calls.
      this.worker.on('error', (error) => this.failAll(`Runtime exited with error: ${error.name}: ${error.message}`, reject));
      this.worker.on('exit', (code) => this.failAll(`Runtime exited with status ${code}`, reject));
    });
  }

  invoke(event: unknown, context: Record<string, unknown>): Promise<unknown> {
    const id = String(context.awsRequestId);
    return new Promise((resolve, reject) => {
      if (this.exited) return reject(this.exited);
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, event: JSON.stringify(event ?? null), context });
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  private settle(message: Extract<FromWorker, { id: string }>): void {
    const call = this.pending.get(message.id);
    this.pending.delete(message.id);
    this.onDuration(message.durationMs);
    if (message.type === 'result') call?.resolve(JSON.parse(message.result));
    else call?.reject(rethrown(message.error));
  }

  private failAll(reason: string, rejectReady: (error: Error) => void): void {
    const error = rethrown({ errorType: 'Runtime.ExitError', errorMessage: reason, trace: [] });
    this.exited ??= error;
    rejectReady(error);
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
    this.onExit();
  }
}

/**
 * Runs the bundled functions of the synthesized app, each in its own worker thread, like one Lambda instance: the
 * minified bundle that `cdk deploy` uploads, with the function's own `process.env` (see {@link readWorkerFunctions}),
 * not the runtime's. The contract is `LambdaHost`'s: JSON copies in and out, and a thrown error arrives with its
 * `name` (Lambda's `errorType`), now as the bundle produces it.
 *
 * Like Lambda, an instance runs one invocation at a time: an invocation that arrives while every instance of its
 * function is busy gets a new instance (a cold start), up to `maxInstances` per function, beyond which it waits for
 * one to be free (as under a function's reserved concurrency, but queued instead of throttled: nothing local retries a
 * throttle). So module-level state (the logger's keys of the invocation, a client's cache) is never shared by two
 * invocations at once, and never across functions. An instance starts on demand (or {@link warm}); one that dies is
 * dropped, and the next invocation gets a new one.
 */
export class LambdaWorkers extends InvocationRecords<WorkerFunction> implements FunctionHost {
  private readonly pools = new Map<string, InstancePool>();
  private stopped = false;

  constructor(
    functions: Map<string, WorkerFunction>,
    /** Instances a function may have at once (`LOCAL_LAMBDA_INSTANCES`, default {@link DEFAULT_MAX_INSTANCES}). */
    private readonly maxInstances = DEFAULT_MAX_INSTANCES,
    /** The fault plan's invocation crashes (`FAULTS=lambda:crash:p`), none without. */
    private readonly crashes?: CrashDraw,
  ) {
    super(functions);
    if (!Number.isInteger(maxInstances) || maxInstances < 1) throw new RangeError('maxInstances must be a whole number of at least 1');
  }

  /** Starts one instance of every function and waits for each to have imported its bundle. */
  async warm(): Promise<void> {
    await Promise.all(this.functionIds().map((id) => this.pool(id).warm()));
  }

  async invoke(functionId: string, event: unknown): Promise<unknown> {
    const fn = this.functions.get(functionId);
    if (!fn) throw new Error(`No function ${functionId} in the template`);
    this.started(functionId);
    const pool = this.pool(functionId);
    const instance = await pool.acquire();
    try {
      return await withCrashes(this.crashes, functionId, () =>
        instance.invoke(event, {
          awsRequestId: randomUUID(),
          functionName: functionId,
          functionVersion: '$LATEST',
          invokedFunctionArn: localLambdaArn(functionId),
          memoryLimitInMB: String(fn.memorySize),
          logGroupName: `/aws/lambda/${functionId}`,
          deadlineMs: Date.now() + fn.timeoutSeconds * 1000,
        }),
      );
    } finally {
      pool.release(instance);
    }
  }

  /** The instances each function has now (busy or idle), for tests and the curious. */
  instanceCounts(): Map<string, number> {
    return new Map([...this.pools].map(([id, pool]) => [id, pool.size]));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.terminate()));
  }

  private pool(functionId: string): InstancePool {
    if (this.stopped) throw new Error('The local functions are stopped');
    let pool = this.pools.get(functionId);
    if (!pool) {
      const fn = this.functions.get(functionId);
      if (!fn) throw new Error(`No function ${functionId} in the template`);
      pool = new InstancePool(
        () => {
          const instance = new Instance(fn, () => pool?.dropped(instance), (ms) => this.ran(functionId, ms));
          instance.ready.catch((error: unknown) => log.error('local function failed to start', { functionId, error }));
          return instance;
        },
        this.maxInstances,
      );
      this.pools.set(functionId, pool);
    }
    return pool;
  }
}

/**
 * Instances of one function per invocation at once. Enough for the local runtime's bursts (a stream batch, a chunk's
 * starts) on two cores; each instance is a worker thread with its own copy of the bundle (about 30–50 MB).
 */
export const DEFAULT_MAX_INSTANCES = 4;

/** The instances of one function: an idle one for each invocation, a new one while under the limit, else a wait. */
class InstancePool {
  private readonly all = new Set<Instance>();
  private readonly idle: Instance[] = [];
  private readonly waiting: ((instance: Instance) => void)[] = [];

  constructor(
    private readonly create: () => Instance,
    private readonly max: number,
  ) {}

  get size(): number {
    return this.all.size;
  }

  /** One instance started and imported (the pool's first, if it has none). */
  async warm(): Promise<void> {
    if (this.all.size === 0) this.idle.push(this.add());
    await Promise.all([...this.all].map((i) => i.ready));
  }

  /** An instance for one invocation, ready (imported); give it back with {@link release}. */
  async acquire(): Promise<Instance> {
    const instance = this.idle.pop() ?? (this.all.size < this.max ? this.add() : await new Promise<Instance>((resolve) => this.waiting.push(resolve)));
    try {
      await instance.ready;
    } catch (error) {
      // A failed start (the bundle threw at import) is dropped when its worker exits; the caller gets its error.
      this.forget(instance);
      throw error;
    }
    return instance;
  }

  release(instance: Instance): void {
    // Dropped while it ran (its worker died): `dropped` has already let a waiting invocation have its place.
    if (!this.all.has(instance)) return;
    const next = this.waiting.shift();
    if (next) next(instance);
    else this.idle.push(instance);
  }

  /** The instance's worker exited: it takes no more invocations. */
  dropped(instance: Instance): void {
    this.forget(instance);
    this.serveWaiting();
  }

  terminate(): Promise<number[]> {
    const running = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    return Promise.all(running.map((instance) => instance.terminate()));
  }

  private add(): Instance {
    const instance = this.create();
    this.all.add(instance);
    return instance;
  }

  private forget(instance: Instance): void {
    this.all.delete(instance);
    const at = this.idle.indexOf(instance);
    if (at >= 0) this.idle.splice(at, 1);
  }

  /** A place freed up (an instance dropped): a waiting invocation gets a new instance. */
  private serveWaiting(): void {
    if (this.all.size >= this.max) return;
    const next = this.waiting.shift();
    if (next) next(this.add());
  }
}
