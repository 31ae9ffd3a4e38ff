import type { FinalizeHandler, FinalizeHandlerArguments, MetadataBearer, MiddlewareStack } from '@smithy/types';
import { type FaultPlan, faultPlanFromEnv, type SdkFault, type SdkService, seededRandom } from './fault-plan.ts';

/**
 * Faults of the plan (`FAULTS`, `fault-plan.ts`) injected into an AWS SDK client's calls, raised with the shapes the
 * SDK gives the real ones, so that its retry strategy and our own error handling see what they would see in AWS:
 * - a service's answer (throttling, 500/503) as the deserializer raises it: the error code as `name`, `$fault`,
 *   `$metadata.httpStatusCode` and a request id (these services model no `$retryable` trait for them, so none is set);
 * - a timeout as `@smithy/node-http-handler` raises it (`TimeoutError`, `code: 'ETIMEDOUT'`, no `$metadata`);
 * - a connection reset as Node's socket raises it (`read ECONNRESET`, `code: 'ECONNRESET'`).
 */
const SERVICE_ERRORS: Record<SdkService, Record<'throttle' | '5xx', readonly [name: string, status: number][]>> = {
  // DynamoDB throttles with 400 ProvisionedThroughputExceededException (ThrottlingException on some paths).
  dynamodb: {
    throttle: [
      ['ProvisionedThroughputExceededException', 400],
      ['ThrottlingException', 400],
    ],
    '5xx': [
      ['InternalServerError', 500],
      ['ServiceUnavailable', 503],
    ],
  },
  // S3 throttles with 503 SlowDown.
  s3: {
    throttle: [['SlowDown', 503]],
    '5xx': [
      ['InternalError', 500],
      ['ServiceUnavailable', 503],
    ],
  },
  // Step Functions throttles with 400 ThrottlingException (StartExecution, SendTask*, beyond their token buckets).
  sfn: {
    throttle: [['ThrottlingException', 400]],
    '5xx': [
      ['InternalFailure', 500],
      ['ServiceUnavailable', 503],
    ],
  },
};

let injected = 0;

/** The error the SDK would raise for `fault`, picked with `random` among that fault's real variants. */
export function injectedError(service: SdkService, fault: SdkFault, random: () => number): Error {
  injected += 1;
  if (fault === 'timeout') {
    return Object.assign(new Error('@smithy/node-http-handler - [ERROR] a request has exceeded the configured 3000 ms requestTimeout.'), {
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
    });
  }
  if (fault === 'reset') {
    return Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' });
  }
  const variants = SERVICE_ERRORS[service][fault];
  const [name, status] = variants[Math.floor(random() * variants.length)] as [string, number];
  const requestId = `FAULT${String(injected).padStart(8, '0')}`;
  return Object.assign(new Error(`${name} (injected by FAULTS)`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId, attempts: 1, totalRetryDelay: 0 },
  });
}

/** An SDK v3 client, as far as the fault middleware needs it. */
interface SdkClient {
  middlewareStack: Pick<MiddlewareStack<object, MetadataBearer>, 'addRelativeTo'>;
}

/**
 * Adds the plan's faults for `service` to `client`, in a stream of random numbers of its own (the seed and `stream`).
 *
 * Where: in the finalizeRequest step, right after the SDK's `retryMiddleware`, so inside its retry loop. Every attempt
 * draws anew and a faulted attempt never reaches the wire, and the retry strategy classifies the error, backs off and
 * tries again (or gives up after `maxAttempts` and hands the error to our code) exactly as for one that came back from
 * AWS. The build step would be wrong: it runs once per call, before the retry loop, so its errors are never retried.
 */
export function addFaultMiddleware(client: SdkClient, service: SdkService, plan: FaultPlan, stream: string = service): void {
  const faults = plan.sdk[service] ?? [];
  if (faults.length === 0) return;
  const random = seededRandom(plan.seed, stream);
  client.middlewareStack.addRelativeTo(
    (next: FinalizeHandler<object, MetadataBearer>) => async (args: FinalizeHandlerArguments<object>) => {
      for (const { fault, probability } of faults) {
        if (random() < probability) throw injectedError(service, fault, random);
      }
      return next(args);
    },
    { name: 'faultInjectionMiddleware', relation: 'after', toMiddleware: 'retryMiddleware', override: true },
  );
}

/**
 * `client` with this process's fault plan (`FAULTS`) when there is one, for every SDK client the dependency factories
 * build. Without `FAULTS` (always in AWS: the CDK app never sets it) the client is returned untouched: no middleware,
 * no cost but this one look-up when the client is built.
 */
export function faulted<C extends SdkClient>(client: C, service: SdkService): C {
  const plan = faultPlanFromEnv();
  if (plan) addFaultMiddleware(client, service, plan, `${service}:${process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local'}`);
  return client;
}
