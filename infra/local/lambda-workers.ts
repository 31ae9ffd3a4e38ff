import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { log } from '../../shared/log.ts';
import { type FunctionConfiguration, functionEnvironment } from './function-environment.ts';
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
 * An instance starts on its function's first invocation (or {@link warm}); one that dies is replaced on the next. An
 * instance takes the invocations that arrive while it is busy too (Lambda would start more instances): module-level
 * state is shared as it would be within one instance, never across functions.
 */
export class LambdaWorkers extends InvocationRecords<WorkerFunction> implements FunctionHost {
  private readonly instances = new Map<string, Instance>();
  private stopped = false;

  /** Starts every function's instance and waits for each to have imported its bundle. */
  async warm(): Promise<void> {
    await Promise.all(this.functionIds().map((id) => this.instance(id).ready));
  }

  async invoke(functionId: string, event: unknown): Promise<unknown> {
    const fn = this.functions.get(functionId);
    if (!fn) throw new Error(`No function ${functionId} in the template`);
    this.started(functionId);
    const instance = this.instance(functionId);
    await instance.ready;
    return instance.invoke(event, {
      awsRequestId: randomUUID(),
      functionName: functionId,
      functionVersion: '$LATEST',
      invokedFunctionArn: localLambdaArn(functionId),
      memoryLimitInMB: String(fn.memorySize),
      logGroupName: `/aws/lambda/${functionId}`,
      deadlineMs: Date.now() + fn.timeoutSeconds * 1000,
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const running = [...this.instances.values()];
    this.instances.clear();
    await Promise.all(running.map((instance) => instance.terminate()));
  }

  private instance(functionId: string): Instance {
    if (this.stopped) throw new Error('The local functions are stopped');
    let instance = this.instances.get(functionId);
    if (!instance) {
      const fn = this.functions.get(functionId);
      if (!fn) throw new Error(`No function ${functionId} in the template`);
      const created = new Instance(
        fn,
        () => {
          if (this.instances.get(functionId) === created) this.instances.delete(functionId);
        },
        (ms) => this.ran(functionId, ms),
      );
      created.ready.catch((error: unknown) => log.error('local function failed to start', { functionId, error }));
      instance = created;
      this.instances.set(functionId, instance);
    }
    return instance;
  }
}
