import { isServerError, isThrottlingError, isTransientError } from '@smithy/service-error-classification';
import type { Context } from 'aws-lambda';
import * as z from './zod.ts';
import { AppError, TransientError } from './domain/errors.ts';
import { log } from './log.ts';
import { businessKeys, observed } from './observability/invocation.ts';

/** Input of every review task: which application, and whose (checked against the stored record). */
export const TaskInput = z.object({ applicationId: z.string().check(z.minLength(1)), tenantId: z.string().check(z.minLength(1)) });
export const TokenTaskInput = z.extend(TaskInput, { taskToken: z.string().check(z.minLength(1)) });

/**
 * A Step Functions task handler: parses its input, runs one use case with the dependencies `deps` binds (the handler's
 * own composition of factories, `shared/adapters/deps/`), and lets named errors propagate, so the state machine's
 * Retry/Catch act on their names (STYLE.md rule 5). The invocation is `observed()`, its logs (and trace) keyed by the
 * business keys of its input (`tenantId` and `applicationId`, `batchId` or `deliveryId`).
 */
export function workflowHandler<S extends z.core.$ZodType, D, R>(
  name: string,
  schema: S,
  deps: () => D,
  fn: (deps: D, input: z.infer<S>) => Promise<R>,
): (event: unknown, context?: Context) => Promise<R> {
  return observed(async (event: unknown) => {
    const input = z.parse(schema, event);
    const { tenantId, applicationId, batchId, deliveryId } = input as Record<string, unknown>;
    businessKeys({ tenantId: text(tenantId), applicationId: text(applicationId), batchId: text(batchId), deliveryId: text(deliveryId) });
    try {
      return await fn(deps(), input);
    } catch (caught) {
      const error = asTransient(caught);
      // Our own errors are expected outcomes (a retry, a lost race): their name and message say it all.
      const logged = error instanceof AppError ? { name: error.name, message: error.message } : error;
      // The task token, like every secret, is redacted from the line (shared/observability/redact.ts).
      log.warn(`${name} failed`, { error: logged, input });
      throw error;
    }
  });
}

/**
 * An AWS call that still failed after the SDK's own retries, in a way the SDK would retry (throttling, a 5xx, a timeout,
 * a reset connection: its own classification), becomes a `TransientError`, the name the workflows retry later: raw,
 * `ThrottlingException` or `ProvisionedThroughputExceededException` matched no Retry, so a read throttled three times
 * sent the application to MarkFailed, or gave a webhook delivery up after one attempt (found by the chaos run's fault
 * plan). Our own errors, and the SDK's others (a failed condition, a validation error), are left as they are.
 */
function asTransient(error: unknown): unknown {
  if (error instanceof AppError || typeof error !== 'object' || error === null || !('$metadata' in error || 'code' in error)) return error;
  const sdk = error as Parameters<typeof isTransientError>[0];
  if (!isThrottlingError(sdk) && !isTransientError(sdk) && !isServerError(sdk)) return error;
  return new TransientError(`An AWS call still failed after its retries (${sdk.name}: ${sdk.message}); retry.`, { cause: error });
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
