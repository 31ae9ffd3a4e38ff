import type { S3Event } from 'aws-lambda';
import { makeBatchDeps } from '../../shared/adapters/make-batch-deps.ts';
import { makeDeps } from '../../shared/adapters/make-deps.ts';
import { manifestUploaded } from '../../shared/use-cases/batches/start-ingestion.ts';

/** S3 ObjectCreated under `batch-manifests/` → the batch starts ingesting its manifest. */
export const handler = async (event: S3Event): Promise<void> => {
  const deps = { ...makeDeps(), ...makeBatchDeps() };
  for (const record of event.Records) {
    // S3 event keys are URL-encoded, with '+' for spaces.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    await manifestUploaded(deps, { key, ...(record.s3.object.versionId ? { versionId: record.s3.object.versionId } : {}) });
  }
};
