import { ingestChunk } from '../../shared/use-cases/batches/ingestion.ts';
import { IngestionTaskInput, ingestionTask } from './ingestion-task.ts';

/** Ingestion task `IngestChunk`: the next rows from the batch's cursor become applications or refusals. */
export const handler = ingestionTask('ingest-chunk', IngestionTaskInput, ingestChunk);
