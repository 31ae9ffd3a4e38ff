import { finishIngestion } from '../../shared/use-cases/batches/ingestion.ts';
import { IngestionTaskInput, ingestionTask } from './ingestion-task.ts';

/** Ingestion task `Finish`: writes the report, marks the batch ingested (completed if every row already ended). */
export const handler = ingestionTask('finish-ingestion', IngestionTaskInput, finishIngestion);
