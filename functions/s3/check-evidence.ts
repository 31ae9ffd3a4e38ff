import type { S3Event } from 'aws-lambda';
import { makeDeps } from '../../shared/adapters/make-deps.ts';
import { checkEvidence } from '../../shared/use-cases/check-evidence.ts';

/** S3 ObjectCreated under `evidence/` → sniff, size-check and hash the file; mark the evidence accepted or rejected. */
export const handler = async (event: S3Event): Promise<void> => {
  const deps = makeDeps();
  for (const record of event.Records) {
    // S3 event keys are URL-encoded, with '+' for spaces.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    await checkEvidence(deps, key);
  }
};
