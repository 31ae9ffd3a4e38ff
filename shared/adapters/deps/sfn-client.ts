import { SFNClient } from '@aws-sdk/client-sfn';
import { bound } from './bound.ts';

/** The process's Step Functions client; only functions that start, answer or stop executions import it. */
export const sfnClient: () => SFNClient = bound(() => new SFNClient({}));
