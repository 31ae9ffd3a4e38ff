import * as z from 'zod';

/** Input of every ingestion task: which batch, and whose (checked against the stored record). */
export const IngestionTaskInput = z.object({ batchId: z.string().min(1), tenantId: z.string().min(1) });
