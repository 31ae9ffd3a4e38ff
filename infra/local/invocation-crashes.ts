import { type FaultPlan, seededRandom } from '../../shared/adapters/faults/fault-plan.ts';

/** Where an invocation crashes: before its handler runs (nothing done), or after it returned (its writes done, its answer lost). */
export type CrashPoint = 'before' | 'after';

/** Draws, for each invocation, whether it crashes and where. */
export type CrashDraw = () => CrashPoint | undefined;

/**
 * The plan's `lambda:crash:p` as a draw per invocation for a function host: with probability p a crash, half before
 * the handler and half after it. Undefined when the plan has no crashes (the hosts then run as without a plan).
 */
export function invocationCrashes(plan: FaultPlan | undefined): CrashDraw | undefined {
  if (!plan || plan.lambdaCrash <= 0) return undefined;
  const random = seededRandom(plan.seed, 'lambda:crash');
  return () => (random() < plan.lambdaCrash ? (random() < 0.5 ? 'before' : 'after') : undefined);
}

/**
 * Runs one invocation (`run`) under the crash draw: a crash fails it as Lambda reports a runtime that exited
 * (`Runtime.ExitError`, which is what Step Functions' Retry, the stream's retries and S3's event retries then see).
 */
export async function withCrashes<T>(draw: CrashDraw | undefined, functionId: string, run: () => Promise<T>): Promise<T> {
  const point = draw?.();
  if (point === 'before') throw exitError(functionId, point);
  const result = await run();
  if (point === 'after') throw exitError(functionId, point);
  return result;
}

function exitError(functionId: string, point: CrashPoint): Error {
  const error = new Error(`Runtime exited with error: signal: killed (injected by FAULTS in ${functionId}, ${point} the handler)`);
  error.name = 'Runtime.ExitError';
  return error;
}
