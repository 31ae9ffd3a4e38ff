import { batchDeps } from '../../shared/adapters/deps/batch-deps.ts';
import { batchFileDeps } from '../../shared/adapters/deps/batch-file-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { finishIngestion } from '../../shared/use-cases/batches/ingestion.ts';
import { workflowHandler } from '../../shared/workflow-handler.ts';
import { IngestionTaskInput } from './ingestion-task.ts';

/** Ingestion task `Finish`: writes the report, marks the batch ingested (completed if every row already ended). */
export const handler = workflowHandler('finish-ingestion', IngestionTaskInput, compose(tableDeps, batchDeps, batchFileDeps), finishIngestion);
