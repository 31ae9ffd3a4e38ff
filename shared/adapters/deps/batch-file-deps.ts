import { config } from '../../config.ts';
import type { BatchDeps } from '../../ports/batch-services.ts';
import { S3BatchFiles } from '../s3/s3-batch-files.ts';
import { bound } from './bound.ts';
import { s3Client } from './s3-client.ts';

/** Batch files in S3 (manifests, inline items, report parts and reports, their presigned URLs): the S3 client. */
export const batchFileDeps: () => Pick<BatchDeps, 'batchFiles'> = bound(() => ({ batchFiles: new S3BatchFiles(s3Client(), config().BUCKET_NAME) }));
