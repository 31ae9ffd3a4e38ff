import type { S3Event } from 'aws-lambda';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { evidenceDeps } from '../../shared/adapters/deps/evidence-deps.ts';
import { metricsDeps } from '../../shared/adapters/deps/metrics-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { workflowDeps } from '../../shared/adapters/deps/workflow-deps.ts';
import { businessKeys, observed } from '../../shared/observability/invocation.ts';
import { checkEvidence } from '../../shared/use-cases/check-evidence.ts';
import { parseEvidenceObjectKey } from '../../shared/use-cases/create-evidence-upload.ts';

const bindDeps = compose(tableDeps, evidenceDeps, workflowDeps, metricsDeps);

/** S3 ObjectCreated under `evidence/` → sniff, size-check and hash the file; mark the evidence accepted or rejected. */
export const handler = observed(async (event: S3Event): Promise<void> => {
  const deps = bindDeps();
  for (const record of event.Records) {
    // S3 event keys are URL-encoded, with '+' for spaces.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const ids = parseEvidenceObjectKey(key);
    businessKeys({ tenantId: ids?.tenantId, applicationId: ids?.applicationId });
    await checkEvidence(deps, key);
  }
});
