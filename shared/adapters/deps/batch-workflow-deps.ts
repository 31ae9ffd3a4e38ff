import { config } from '../../config.ts';
import type { BatchDeps } from '../../ports/batch-services.ts';
import { SfnBatchIngestion, SfnReviewStarter } from '../sfn/sfn-batch-workflows.ts';
import { TokenBucket } from '../sfn/token-bucket.ts';
import { batchConfig } from './batch-config.ts';
import { bound } from './bound.ts';
import { sfnClient } from './sfn-client.ts';

/**
 * Starting ingestion executions and, paced, the review executions of a batch's rows: the Step Functions client. The
 * token bucket is the process's, shared by every call.
 */
export const batchWorkflowDeps: () => Pick<BatchDeps, 'ingestion' | 'reviewStarter'> = bound(() => {
  const b = batchConfig();
  return {
    ingestion: new SfnBatchIngestion(sfnClient(), b.BATCH_STATE_MACHINE_ARN),
    reviewStarter: new SfnReviewStarter(sfnClient(), config().REVIEW_STATE_MACHINE_ARN, {
      bucket: new TokenBucket({ refillPerSecond: b.REVIEW_START_RATE, capacity: b.REVIEW_START_BURST }),
    }),
  };
});
