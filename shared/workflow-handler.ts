import * as z from './zod.ts';
import { AppError } from './domain/errors.ts';
import { log } from './log.ts';

/** Input of every review task: which application, and whose (checked against the stored record). */
export const TaskInput = z.object({ applicationId: z.string().check(z.minLength(1)), tenantId: z.string().check(z.minLength(1)) });
export const TokenTaskInput = z.extend(TaskInput, { taskToken: z.string().check(z.minLength(1)) });

/**
 * A Step Functions task handler: parses its input, runs one use case with the dependencies `deps` binds (the handler's
 * own composition of factories, `shared/adapters/deps/`), and lets named errors propagate, so the state machine's
 * Retry/Catch act on their names (STYLE.md rule 5).
 */
export function workflowHandler<S extends z.core.$ZodType, D, R>(
  name: string,
  schema: S,
  deps: () => D,
  fn: (deps: D, input: z.infer<S>) => Promise<R>,
): (event: unknown) => Promise<R> {
  return async (event) => {
    const input = z.parse(schema, event);
    try {
      return await fn(deps(), input);
    } catch (error) {
      // Our own errors are expected outcomes (a retry, a lost race): their name and message say it all.
      const logged = error instanceof AppError ? { name: error.name, message: error.message } : error;
      log.warn(`${name} failed`, { error: logged, input: { ...(input as object), taskToken: undefined } });
      throw error;
    }
  };
}
