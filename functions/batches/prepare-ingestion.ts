import { batchDeps } from '../../shared/adapters/deps/batch-deps.ts';
import { batchFileDeps } from '../../shared/adapters/deps/batch-file-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { prepareIngestion } from '../../shared/use-cases/batches/ingestion.ts';
import { workflowHandler } from '../../shared/workflow-handler.ts';
import { IngestionTaskInput } from './ingestion-task.ts';

/** Ingestion task `Prepare`: reads the manifest through once (header, row count); a bad manifest fails the batch. */
export const handler = workflowHandler('prepare-ingestion', IngestionTaskInput, compose(tableDeps, batchDeps, batchFileDeps), prepareIngestion);
