import { SFNClient } from '@aws-sdk/client-sfn';
import { traced } from '../../observability/tracer.ts';
import { bound } from './bound.ts';

/** The process's Step Functions client, its calls traced when tracing; only functions that start, answer or stop executions import it. */
export const sfnClient: () => SFNClient = bound(() => traced(new SFNClient({})));
