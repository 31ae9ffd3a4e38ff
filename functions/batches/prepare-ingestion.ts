import { prepareIngestion } from '../../shared/use-cases/batches/ingestion.ts';
import { IngestionTaskInput, ingestionTask } from './ingestion-task.ts';

/** Ingestion task `Prepare`: reads the manifest through once (header, row count); a bad manifest fails the batch. */
export const handler = ingestionTask('prepare-ingestion', IngestionTaskInput, prepareIngestion);
