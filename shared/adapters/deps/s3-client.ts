import { S3Client } from '@aws-sdk/client-s3';
import { config } from '../../config.ts';
import { traced } from '../../observability/tracer.ts';
import { faulted } from '../faults/sdk-faults.ts';
import { bound } from './bound.ts';

/**
 * The process's S3 client, shared by the evidence store and the batch files; only functions that touch objects import
 * it. Its calls are traced when tracing (presigning makes no call), and faulted by the local fault plan (`FAULTS`).
 */
export const s3Client: () => S3Client = bound(() =>
  traced(
    faulted(
      new S3Client({
        forcePathStyle: config().S3_FORCE_PATH_STYLE,
        // Flexible checksums are not needed for presigned PUTs and break s3rver (DESIGN.md).
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
      's3',
    ),
  ),
);
