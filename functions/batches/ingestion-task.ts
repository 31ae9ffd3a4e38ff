import { z } from 'zod';
import { makeBatchDeps } from '../../shared/adapters/make-batch-deps.ts';
import type { IngestionDeps } from '../../shared/use-cases/batches/ingestion.ts';
import { workflowHandler } from '../../shared/workflow-handler.ts';

/** Input of every ingestion task: which batch, and whose (checked against the stored record). */
export const IngestionTaskInput = z.object({ batchId: z.string().min(1), tenantId: z.string().min(1) });

/** A task of the ingestion workflow: `workflowHandler` with the bulk ports bound too. */
export function ingestionTask<S extends z.ZodType, R>(name: string, schema: S, fn: (deps: IngestionDeps, input: z.infer<S>) => Promise<R>) {
  return workflowHandler(name, schema, (deps, input) => fn({ ...deps, ...makeBatchDeps() }, input));
}
