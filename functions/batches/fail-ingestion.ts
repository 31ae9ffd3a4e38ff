import * as z from '../../shared/zod.ts';
import { batchDeps } from '../../shared/adapters/deps/batch-deps.ts';
import { batchFileDeps } from '../../shared/adapters/deps/batch-file-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { failIngestion } from '../../shared/use-cases/batches/ingestion.ts';
import { workflowHandler } from '../../shared/workflow-handler.ts';
import { IngestionTaskInput } from './ingestion-task.ts';

const Input = z.extend(IngestionTaskInput, { error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })) });

/** Ingestion task `Fail`: reached through Catch when a task still fails after its retries. */
export const handler = workflowHandler('fail-ingestion', Input, compose(tableDeps, batchDeps, batchFileDeps), failIngestion);
