import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { type CrashDraw, withCrashes } from './invocation-crashes.ts';
import type { LambdaFunctionEntry } from './step-functions/template.ts';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** Runs the template's Lambda functions by logical id: from the sources ({@link LambdaHost}) or the bundles (`LambdaWorkers`). */
export interface FunctionHost {
  has(functionId: string): boolean;
  /** Every function it runs, by logical id. */
  functionIds(): string[];
  /** Loads every function now, so the first request does not pay for module loading. */
  warm(): Promise<void>;
  /** Invokes a function with a JSON copy of `event`; resolves with a JSON copy of its result, or rejects with its error (its `name` kept). */
  invoke(functionId: string, event: unknown): Promise<unknown>;
  /** How many times each function has been invoked since the start (functions never invoked are absent). */
  invocations(): ReadonlyMap<string, number>;
  /**
   * How long each finished invocation of each function ran, in milliseconds, in the order they finished (failed ones
   * too): the handler's time from the event handed over to its result, what Lambda bills as an invocation's duration
   * (not its cold start). An invocation still running is counted in {@link invocations} and not here yet.
   */
  durations(): ReadonlyMap<string, readonly number[]>;
  stop(): Promise<void>;
}

/**
 * What both hosts keep of the functions they run, by logical id: which there are, how often each was invoked and how
 * long each invocation ran (the {@link FunctionHost} accounting, in one place for the sources and the bundles).
 */
export abstract class InvocationRecords<F> {
  private readonly counts = new Map<string, number>();
  private readonly finished = new Map<string, number[]>();

  constructor(protected readonly functions: Map<string, F>) {}

  has(functionId: string): boolean {
    return this.functions.has(functionId);
  }

  functionIds(): string[] {
    return [...this.functions.keys()];
  }

  invocations(): ReadonlyMap<string, number> {
    return this.counts;
  }

  durations(): ReadonlyMap<string, readonly number[]> {
    return this.finished;
  }

  /** Counts an invocation as it starts. */
  protected started(functionId: string): void {
    this.counts.set(functionId, (this.counts.get(functionId) ?? 0) + 1);
  }

  /** Adds a finished invocation's duration to its function's list. */
  protected ran(functionId: string, ms: number): void {
    const list = this.finished.get(functionId);
    if (list) list.push(ms);
    else this.finished.set(functionId, [ms]);
  }
}

/**
 * Runs the template's Lambda functions in this process, by their entry file and handler name. Like Lambda, each
 * invocation gets a JSON copy of its event (no shared references with the caller) and returns a JSON copy of the
 * result; a thrown error keeps its `name`, which is what Step Functions matches Retry/Catch on.
 */
export class LambdaHost extends InvocationRecords<LambdaFunctionEntry> implements FunctionHost {
  private readonly loaded = new Map<string, Promise<Handler>>();

  /** `crashes`: the fault plan's invocation crashes (`FAULTS=lambda:crash:p`), none without. */
  constructor(
    private readonly root: string,
    functions: Map<string, LambdaFunctionEntry>,
    private readonly crashes?: CrashDraw,
  ) {
    super(functions);
  }

  /** Loads every handler now, so the first request does not pay for module loading. */
  async warm(): Promise<void> {
    await Promise.all([...this.functions.keys()].map((id) => this.handler(id)));
  }

  async invoke(functionId: string, event: unknown): Promise<unknown> {
    const handler = await this.handler(functionId);
    this.started(functionId);
    const context = {
      functionName: functionId,
      awsRequestId: randomUUID(),
      getRemainingTimeInMillis: () => 30_000,
    };
    const copy = JSON.parse(JSON.stringify(event ?? null));
    const started = performance.now();
    try {
      const result = await withCrashes(this.crashes, functionId, () => handler(copy, context));
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } finally {
      this.ran(functionId, performance.now() - started);
    }
  }

  /** The modules stay loaded: this process is the runtime's own. */
  async stop(): Promise<void> {}

  private handler(functionId: string): Promise<Handler> {
    let handler = this.loaded.get(functionId);
    if (!handler) {
      const entry = this.functions.get(functionId);
      if (!entry) throw new Error(`No function ${functionId} in the template`);
      handler = import(pathToFileURL(join(this.root, entry.entry)).href).then((module: Record<string, unknown>) => {
        const fn = module[entry.handler];
        if (typeof fn !== 'function') throw new Error(`${entry.entry} exports no function ${entry.handler}`);
        return fn as Handler;
      });
      this.loaded.set(functionId, handler);
    }
    return handler;
  }
}
