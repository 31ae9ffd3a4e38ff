import type { LocalRuntimeOptions } from '../infra/local/runtime.ts';

/** A benchmark setting from the environment: a whole number of at least 1, `fallback` when unset. */
export function positiveInteger(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** A benchmark setting from the environment: a whole number of at least 0, `fallback` when unset. */
export function nonNegativeInteger(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, 0 or more`);
  return value;
}

/**
 * The local runtime as the benchmarks start it: a free port, the manual authority (reviews wait for a decision that
 * never comes, so none runs to its end meanwhile), waits at their real length, and the local engine's
 * `LOCAL_MAX_STARTING_EXECUTIONS` when the environment sets it; `extra` for what a benchmark adds (its meter).
 */
export function benchRuntimeOptions(dataDir: string, extra: Partial<LocalRuntimeOptions> = {}): LocalRuntimeOptions {
  return {
    port: 0,
    dataDir,
    authority: 'manual',
    authorityDelayMs: 0,
    timeScale: 1,
    ...(process.env.LOCAL_MAX_STARTING_EXECUTIONS ? { maxStartingExecutions: positiveInteger('LOCAL_MAX_STARTING_EXECUTIONS', 32) } : {}),
    ...extra,
  };
}
