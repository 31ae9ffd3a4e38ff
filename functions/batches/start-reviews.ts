import { batchDeps } from '../../shared/adapters/deps/batch-deps.ts';
import { batchWorkflowDeps } from '../../shared/adapters/deps/batch-workflow-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { startReviews } from '../../shared/use-cases/batches/ingestion.ts';
import { workflowHandler } from '../../shared/workflow-handler.ts';
import { IngestionTaskInput } from './ingestion-task.ts';

/** Ingestion task `StartReviews`: the batch's requested reviews started at the system's pace, until none is left. */
export const handler = workflowHandler('start-reviews', IngestionTaskInput, compose(tableDeps, batchDeps, batchWorkflowDeps), startReviews);
