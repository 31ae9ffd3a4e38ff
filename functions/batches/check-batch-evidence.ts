import type { S3Event } from 'aws-lambda';
import { batchDeps } from '../../shared/adapters/deps/batch-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { evidenceDeps } from '../../shared/adapters/deps/evidence-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { businessKeys, observed } from '../../shared/observability/invocation.ts';
import { checkBatchEvidence } from '../../shared/use-cases/batches/batch-evidence.ts';
import { parseBatchEvidenceKey } from '../../shared/use-cases/batches/batch-keys.ts';

const bindDeps = compose(tableDeps, evidenceDeps, batchDeps);

/** S3 ObjectCreated under `batch-evidence/` → check the shared evidence file; mark it accepted or rejected. */
export const handler = observed(async (event: S3Event): Promise<void> => {
  const deps = bindDeps();
  for (const record of event.Records) {
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    businessKeys({ tenantId: parseBatchEvidenceKey(key)?.tenantId });
    await checkBatchEvidence(deps, key);
  }
});
