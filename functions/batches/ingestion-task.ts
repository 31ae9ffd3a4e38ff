import * as z from '../../shared/zod.ts';

/** Input of every ingestion task: which batch, and whose (checked against the stored record). */
export const IngestionTaskInput = z.object({ batchId: z.string().check(z.minLength(1)), tenantId: z.string().check(z.minLength(1)) });
