import { z } from 'zod';
import { failIngestion } from '../../shared/use-cases/batches/ingestion.ts';
import { IngestionTaskInput, ingestionTask } from './ingestion-task.ts';

const Input = IngestionTaskInput.extend({ error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional() });

/** Ingestion task `Fail`: reached through Catch when a task still fails after its retries. */
export const handler = ingestionTask('fail-ingestion', Input, failIngestion);
