import type { S3Event } from 'aws-lambda';
import { makeBatchDeps } from '../../shared/adapters/make-batch-deps.ts';
import { makeDeps } from '../../shared/adapters/make-deps.ts';
import { checkBatchEvidence } from '../../shared/use-cases/batches/batch-evidence.ts';

/** S3 ObjectCreated under `batch-evidence/` → check the shared evidence file; mark it accepted or rejected. */
export const handler = async (event: S3Event): Promise<void> => {
  const deps = { ...makeDeps(), ...makeBatchDeps() };
  for (const record of event.Records) {
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    await checkBatchEvidence(deps, key);
  }
};
