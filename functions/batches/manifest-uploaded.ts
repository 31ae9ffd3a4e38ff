import type { S3Event } from 'aws-lambda';
import { batchDeps } from '../../shared/adapters/deps/batch-deps.ts';
import { batchWorkflowDeps } from '../../shared/adapters/deps/batch-workflow-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { businessKeys, observed } from '../../shared/observability/invocation.ts';
import { parseManifestKey } from '../../shared/use-cases/batches/batch-keys.ts';
import { manifestUploaded } from '../../shared/use-cases/batches/start-ingestion.ts';

const bindDeps = compose(tableDeps, batchDeps, batchWorkflowDeps);

/** S3 ObjectCreated under `batch-manifests/` → the batch starts ingesting its manifest. */
export const handler = observed(async (event: S3Event): Promise<void> => {
  const deps = bindDeps();
  for (const record of event.Records) {
    // S3 event keys are URL-encoded, with '+' for spaces.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const ids = parseManifestKey(key);
    businessKeys({ tenantId: ids?.tenantId, batchId: ids?.batchId });
    await manifestUploaded(deps, { key, ...(record.s3.object.versionId ? { versionId: record.s3.object.versionId } : {}) });
  }
});
