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
 * and none of an earlier invocation's keys.
 */
export function observed<E, R>(handler: (event: E, context: Context | undefined) => Promise<R>): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    startInvocationLogs(context);
    return handler(event, context);
  };
}

/** Adds the keys (those with a value) to the invocation's later log lines. */
export function businessKeys(keys: BusinessKeys): void {
  appendLogKeys({ ...keys });
}
