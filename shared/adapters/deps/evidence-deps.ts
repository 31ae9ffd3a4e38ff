import { config } from '../../config.ts';
import type { Deps } from '../../ports/deps.ts';
import { S3EvidenceStore } from '../s3/s3-evidence-store.ts';
import { bound } from './bound.ts';
import { s3Client } from './s3-client.ts';

/** Evidence files in S3 (presigned uploads, the content check): the S3 client and the presigner. */
export const evidenceDeps: () => Pick<Deps, 'evidence'> = bound(() => ({ evidence: new S3EvidenceStore(s3Client(), config().BUCKET_NAME) }));
