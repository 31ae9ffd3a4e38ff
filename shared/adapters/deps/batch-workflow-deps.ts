import type { BatchDeps } from '../../ports/batch-services.ts';
import { SfnBatchIngestion } from '../sfn/sfn-batch-workflows.ts';
import { batchConfig } from './batch-config.ts';
import { bound } from './bound.ts';
import { sfnClient } from './sfn-client.ts';
import { pacedStarts } from './start-deps.ts';

/**
 * Starting ingestion executions, and starting the reviews a batch's rows requested, at the system's one pace (the
 * start queue and the pace item in the table, shared with every other function): the Step Functions client.
 */
export const batchWorkflowDeps: () => Pick<BatchDeps, 'ingestion' | 'reviewStarter'> = bound(() => ({
  ingestion: new SfnBatchIngestion(sfnClient(), batchConfig().BATCH_STATE_MACHINE_ARN),
  reviewStarter: pacedStarts(),
}));
