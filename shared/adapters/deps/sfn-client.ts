import { SFNClient } from '@aws-sdk/client-sfn';
import { traced } from '../../observability/tracer.ts';
import { faulted } from '../faults/sdk-faults.ts';
import { bound } from './bound.ts';

/** The process's Step Functions client, its calls traced when tracing and faulted by the local fault plan (`FAULTS`); only functions that start, answer or stop executions import it. */
export const sfnClient: () => SFNClient = bound(() => traced(faulted(new SFNClient({}), 'sfn')));
