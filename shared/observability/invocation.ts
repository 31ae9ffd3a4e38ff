import type { Context } from 'aws-lambda';
import { appendLogKeys, log, startInvocationLogs } from '../log.ts';
import { tracer } from './tracer.ts';

/** The business keys of what an invocation works on, as far as its wrapper or handler knows them. */
export interface BusinessKeys {
  tenantId?: string;
  applicationId?: string;
  batchId?: string;
  deliveryId?: string;
}

/**
 * Every Lambda entry point runs through this (the HTTP routes through `route()`, the workflow tasks through
 * `workflowHandler()`, the S3- and stream-triggered functions directly): the invocation's logs get the Lambda context
 * and none of an earlier invocation's keys; when the bundle traces (`tracer.ts`), the invocation is the subsegment
 * `## <handler>`, annotated with the cold start, the service and the business keys, with a thrown error attached; and
 * at the end, thrown error or not, what `afterEachInvocation` registered runs: the metrics the use cases counted are
 * published as one EMF line (`metrics.ts` registers that, in the functions that count: `metricsDeps()`).
 */
export function observed<E, R>(handler: (event: E, context: Context | undefined) => Promise<R>): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    startInvocationLogs(context);
    const segment = openHandlerSegment();
    try {
      return await handler(event, context);
    } catch (error) {
      if (segment && error instanceof Error) tracer?.addErrorAsMetadata(error);
      throw error;
    } finally {
      segment?.close();
      for (const hook of endOfInvocation) hook();
    }
  };
}

const endOfInvocation = new Set<() => void>();

/** Runs `hook` at the end of every invocation from now on (once, however often it is registered). */
export function afterEachInvocation(hook: () => void): void {
  endOfInvocation.add(hook);
}

/** Adds the keys (those with a value) to the invocation's later log lines and, when tracing, to its subsegment. */
export function businessKeys(keys: BusinessKeys): void {
  appendLogKeys({ ...keys });
  if (!tracer?.isTracingEnabled()) return;
  for (const [key, value] of Object.entries(keys)) if (value) tracer.putAnnotation(key, value);
}

/** What Powertools' `captureLambdaHandler` does, without middy: a subsegment for the handler under Lambda's segment. */
function openHandlerSegment(): { close(): void } | undefined {
  if (!tracer?.isTracingEnabled()) return undefined;
  const lambdaSegment = tracer.getSegment();
  if (!lambdaSegment) return undefined;
  const handlerSegment = lambdaSegment.addNewSubsegment(`## ${process.env._HANDLER ?? 'handler'}`);
  tracer.setSegment(handlerSegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  return {
    close() {
      try {
        handlerSegment.close();
      } catch (error) {
        log.warn('could not close the handler subsegment; its trace data may be lost', { error });
      }
      tracer?.setSegment(lambdaSegment);
    },
  };
}
