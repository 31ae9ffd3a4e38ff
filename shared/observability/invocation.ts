import type { Context } from 'aws-lambda';
import { appendLogKeys, startInvocationLogs } from '../log.ts';

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
 * and none of an earlier invocation's keys; and at the end, thrown error or not, what `afterEachInvocation` registered
 * runs: the metrics the use cases counted are published as one EMF line (`metrics.ts` registers that, in the functions
 * that count: `metricsDeps()`).
 */
export function observed<E, R>(handler: (event: E, context: Context | undefined) => Promise<R>): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    startInvocationLogs(context);
    try {
      return await handler(event, context);
    } finally {
      for (const hook of endOfInvocation) hook();
    }
  };
}

const endOfInvocation = new Set<() => void>();

/** Runs `hook` at the end of every invocation from now on (once, however often it is registered). */
export function afterEachInvocation(hook: () => void): void {
  endOfInvocation.add(hook);
}

/** Adds the keys (those with a value) to the invocation's later log lines. */
export function businessKeys(keys: BusinessKeys): void {
  appendLogKeys({ ...keys });
}

