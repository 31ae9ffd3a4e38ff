import { SFNClient, type SFNClientConfig } from '@aws-sdk/client-sfn';
import { traced } from '../../observability/tracer.ts';
import { faulted } from '../faults/sdk-faults.ts';
import { bound } from './bound.ts';

/** The process's Step Functions client, its calls traced when tracing and faulted by the local fault plan (`FAULTS`); only functions that start, answer or stop executions import it. */
export const sfnClient: () => SFNClient = bound(() => traced(faulted(new SFNClient({}), 'sfn')));

/**
 * How the paced starts' client is configured: one attempt a call. Every StartExecution call must be one the pace
 * handed a token to; the SDK's own retries (of a throttled call, a timeout, a 5xx: two more by default, a moment
 * apart) would be calls no token allowed, made exactly when Step Functions is already refusing. A start that fails
 * goes back to its queue with a backoff instead (`PacedStarts`), and is tried again with a new token.
 */
export const PACED_SFN_CLIENT_CONFIG = { maxAttempts: 1 } as const satisfies SFNClientConfig;

/**
 * The Step Functions client of the paced starts (`PACED_SFN_CLIENT_CONFIG`), its own connections too, so that its
 * calls never wait behind the process's other Step Functions calls for a socket.
 */
export const pacedSfnClient: () => SFNClient = bound(() => traced(faulted(new SFNClient({ ...PACED_SFN_CLIENT_CONFIG }), 'sfn')));
