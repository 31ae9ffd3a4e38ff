import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { S3_LOCAL_CREDENTIALS, type S3Local, startS3Local } from '../../../../infra/local/engines/s3-local.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// The failing handler is logged on purpose.
process.env.LOG_LEVEL = 'SILENT';

const BUCKET = 'evidence-bucket';

const clientOf = (s3: S3Local) =>
  new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3_LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

/** Resolves once `condition` holds (polled), or fails after 5 s. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * S3 holds a notification durably once it has answered the upload, and Lambda's queue keeps it until the function is
 * done with it: so does the local S3, whose notifications otherwise lived in memory and were lost with the process (a
 * kill of the runtime between an upload and its check left the evidence unchecked for ever).
 */
describe('local S3 notifications across a crash', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const dataDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 's3-notifications-test-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  };
  const start = async (dir: string, onObjectCreated: (event: S3Event) => void | Promise<void>) => {
    const s3 = await startS3Local({ dataDir: dir, buckets: [BUCKET], versionedBuckets: [BUCKET], onObjectCreated });
    cleanups.push(() => s3.stop());
    return s3;
  };

  it('delivers again, on the next start, a notification whose handler the crash interrupted', async () => {
    // Prepare: an upload answered, its handler still running when the process "dies" (it never returns here)
    const dir = await dataDir();
    let release = () => {};
    const interrupted: S3Event[] = [];
    const crashed = await start(dir, (event) => {
      interrupted.push(event);
      return new Promise<void>((resolve) => (release = resolve));
    });
    // Its stop waits for the handler: let it end when the test does, whatever happens.
    cleanups.push(async () => release());
    const client = clientOf(crashed);
    cleanups.push(async () => client.destroy());
    const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'evidence/app_1/ev_1', Body: '%PDF-1.4 scan', ContentType: 'application/pdf' }));
    await until(() => interrupted.length === 1, 'the first delivery');

    // Act: a new start on the same data folder
    const delivered: S3Event[] = [];
    const restarted = await start(dir, (event) => void delivered.push(event));
    const redelivered = restarted.deliverKept();

    // Assess: the same notification (key and version), whose version can be read
    expect(redelivered).toBe(1);
    await until(() => delivered.length === 1, 'the redelivery');
    expect(delivered[0]).toEqual(interrupted[0]);
    expect(delivered[0]?.Records[0]?.s3.object).toMatchObject({ key: 'evidence/app_1/ev_1', versionId: put.VersionId });
    const reader = clientOf(restarted);
    cleanups.push(async () => reader.destroy());
    const object = await reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'evidence/app_1/ev_1', VersionId: put.VersionId }));
    expect(await object.Body?.transformToString()).toBe('%PDF-1.4 scan');
  });

  it('keeps nothing of a notification whose handler returned or failed', async () => {
    // Prepare: one upload handled, one whose handler throws (given up on, as after Lambda's retries)
    const dir = await dataDir();
    let calls = 0;
    const s3 = await start(dir, (event) => {
      calls += 1;
      if (event.Records[0]?.s3.object.key.endsWith('bad')) throw new Error('handler failed');
    });
    const client = clientOf(s3);
    cleanups.push(async () => client.destroy());

    // Act
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'evidence/app_1/good', Body: 'a', ContentType: 'application/pdf' }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'evidence/app_1/bad', Body: 'b', ContentType: 'application/pdf' }));
    await until(() => calls === 2, 'both deliveries');

    // Assess
    await until(async () => (await readdir(path.join(dir, '.notifications'))).length === 0, 'the kept notifications to go');
    expect(s3.deliverKept()).toBe(0);
  });
});
