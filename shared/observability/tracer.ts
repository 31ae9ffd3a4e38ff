import type { Tracer } from '@aws-lambda-powertools/tracer';
import { METRICS_SERVICE } from './metric-names.ts';

/**
 * X-Ray subsegments for every AWS SDK call, and the handler's own subsegment annotated with the business keys:
 * Powertools' Tracer, in the bundles built with SDK tracing (`cdk deploy -c sdkTracing=true`).
 *
 * Why a switch: the Tracer brings the X-Ray SDK (aws-xray-sdk-core, cls-hooked), which costs every cold start about
 * 15 ms to import, a third of what a lean DynamoDB handler takes (`npm run bench:cold`; README, Logs, metrics and
 * traces). Without the switch, Lambda's active tracing still records every invocation (initialisation, invocation,
 * overhead) in the traces that API Gateway and Step Functions start, but no subsegment per SDK call.
 *
 * `process.env.ICP_SDK_TRACING` is replaced at bundling by the literal `AppFunction` chose (an esbuild `define`): with
 * `'false'` the branch below is dead and esbuild leaves the Tracer and the X-Ray SDK out of the bundle. Run from the
 * sources (tests, the local runtime) the variable is unset and nothing is traced. Where the bundle carries it, the
 * Tracer decides by itself whether to trace: only inside Lambda (`AWS_EXECUTION_ENV` set; the local runtime leaves it
 * unset) and unless `POWERTOOLS_TRACE_ENABLED=false`.
 *
 * Outgoing HTTP requests are not traced (`captureHTTPsRequests: false`): the only ones go to customers' webhook
 * endpoints, whose URLs may carry their own tokens, and a subsegment records the URL; the delivery log has each
 * attempt's duration and answer.
 */
export const tracer: Tracer | undefined =
  process.env.ICP_SDK_TRACING === 'true'
    ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: METRICS_SERVICE, captureHTTPsRequests: false })
    : undefined;

/**
 * `client` with a subsegment for each of its calls when tracing (`captureAWSv3Client`); the dependency factories pass
 * every SDK client they build through it.
 */
export function traced<C>(client: C): C {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}
