import { batchDeps } from '../../shared/adapters/deps/batch-deps.ts';
import { batchFileDeps } from '../../shared/adapters/deps/batch-file-deps.ts';
import { batchWorkflowDeps } from '../../shared/adapters/deps/batch-workflow-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { metricsDeps } from '../../shared/adapters/deps/metrics-deps.ts';
import { registryDeps } from '../../shared/adapters/deps/registry-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { ingestChunk } from '../../shared/use-cases/batches/ingestion.ts';
import { workflowHandler } from '../../shared/workflow-handler.ts';
import { IngestionTaskInput } from './ingestion-task.ts';

/** Ingestion task `IngestChunk`: the next rows from the batch's cursor become applications or refusals. */
export const handler = workflowHandler(
  'ingest-chunk',
  IngestionTaskInput,
  compose(tableDeps, registryDeps, batchDeps, batchFileDeps, batchWorkflowDeps, metricsDeps),
  ingestChunk,
);
