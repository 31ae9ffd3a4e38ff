import { HeadObjectCommand, NotFound, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { S3BatchFiles } from '../../../shared/adapters/s3/s3-batch-files.ts';
import { S3EvidenceStore } from '../../../shared/adapters/s3/s3-evidence-store.ts';

const s3 = mockClient(S3Client);
// The mocks replace the clients' `send` for every instance: put it back for the test files that share this process.
afterAll(() => {
  s3.restore();
});
const client = () => new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });

/** A HEAD refused as S3 refuses it: 403 without a body, so the SDK knows no code and names it `Unknown`. */
const bareForbidden = () =>
  new S3ServiceException({ name: 'Unknown', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'UnknownError' });

describe('HeadObject failures in the S3 adapters', () => {
  beforeEach(() => s3.reset());

  const heads = [
    ['S3BatchFiles.size', (key: string) => new S3BatchFiles(client(), 'bucket').size(key)],
    ['S3EvidenceStore.head', (key: string) => new S3EvidenceStore(client(), 'bucket').head(key, 8)],
  ] as const;

  it.each(heads)('%s names a bare 403 AccessDenied, with the key and what it may mean', async (_, head) => {
    // Prepare
    s3.on(HeadObjectCommand).rejects(bareForbidden());

    // Act
    const failure = head('batch-manifests/t/b/manifest.csv');

    // Assess
    await expect(failure).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('batch-manifests/t/b/manifest.csv (403)'),
    });
    await expect(failure).rejects.toThrow(/s3:ListBucket/);
  });

  it.each(heads)('%s answers undefined for a missing object and passes other errors on as they came', async (_, head) => {
    // Prepare
    s3.on(HeadObjectCommand)
      .rejectsOnce(new NotFound({ $metadata: { httpStatusCode: 404 }, message: 'NotFound' }))
      .rejectsOnce(new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'slow down' }));

    // Act
    const missing = await head('k');
    const other = head('k');

    // Assess
    expect(missing).toBeUndefined();
    await expect(other).rejects.toMatchObject({ name: 'SlowDown' });
  });
});
