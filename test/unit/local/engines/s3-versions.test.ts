import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3_LOCAL_CREDENTIALS, type S3Local, startS3Local } from '../../../../infra/local/engines/s3-local.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const BUCKET = 'versioned-bucket';

const clientOf = (endpoint: string) =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3_LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

/** What a rejected SDK call threw: its name and HTTP status. */
async function failureOf(call: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await call;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, ...(e.$metadata?.httpStatusCode ? { status: e.$metadata.httpStatusCode } : {}) };
  }
  throw new Error('the call succeeded');
}

describe('local S3 object versions (a versioned bucket)', () => {
  let dataDir: string;
  let s3: S3Local;
  let client: S3Client;
  const events: S3Event[] = [];

  const start = async () => {
    s3 = await startS3Local({ dataDir, buckets: [BUCKET], versionedBuckets: [BUCKET], onObjectCreated: (event) => void events.push(event) });
    client = clientOf(s3.endpoint);
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 's3-versions-test-'));
    await start();
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The event of the upload of `key` that made `versionId`, once it is delivered. */
  async function eventOf(key: string, versionId: string) {
    for (let i = 0; i < 200; i++) {
      const record = events.flatMap((e) => e.Records).find((r) => r.s3.object.key === key && r.s3.object.versionId === versionId);
      if (record) return record;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no event for ${key} at ${versionId}`);
  }

  it('gives each upload a version, named in its answer and its event, and reads each version as it was uploaded', async () => {
    // Prepare: a manifest, then another upload to the same key (a second PUT to the same upload URL)
    const key = 'batch-manifests/t1/b1/manifest.csv';
    const first = 'filing_number,kind\r\n京ICP备1号,website\r\n';
    const second = 'filing_number,kind\r\n京ICP备2号,subject\r\n京ICP备3号,subject\r\n';
    const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: BUCKET, Key: key, ContentType: 'text/csv' }), {
      expiresIn: 60,
      signableHeaders: new Set(['content-type']),
    });

    // Act
    const put1 = await fetch(url, { method: 'PUT', body: first, headers: { 'content-type': 'text/csv' } });
    const put2 = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: second, ContentType: 'text/csv' }));
    const v1 = put1.headers.get('x-amz-version-id') as string;
    const v2 = put2.VersionId as string;
    const read1 = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, VersionId: v1 }));
    const head1 = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, VersionId: v1 }));
    const tail1 = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, VersionId: v1, Range: 'bytes=19-' }));
    const read2 = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, VersionId: v2 }));
    const current = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));

    // Assess
    expect(put1.status).toBe(200);
    expect(v1).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(v2).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(v2).not.toBe(v1);
    expect((await eventOf(key, v1)).s3.object.size).toBe(Buffer.byteLength(first));
    expect((await eventOf(key, v2)).s3.object.size).toBe(Buffer.byteLength(second));
    expect(await read1.Body?.transformToString()).toBe(first);
    expect(read1).toMatchObject({ VersionId: v1, ContentType: 'text/csv', ContentLength: Buffer.byteLength(first) });
    expect(read1.ETag).toBe(put1.headers.get('etag'));
    expect(head1).toMatchObject({ VersionId: v1, ContentLength: Buffer.byteLength(first) });
    expect(await tail1.Body?.transformToString()).toBe(Buffer.from(first).subarray(19).toString());
    expect(tail1.ContentRange).toBe(`bytes 19-${Buffer.byteLength(first) - 1}/${Buffer.byteLength(first)}`);
    expect(await read2.Body?.transformToString()).toBe(second);
    expect(await current.Body?.transformToString()).toBe(second);
  });

  it('answers NoSuchVersion for a version the key does not have, and 400 for an id S3 would not make', async () => {
    // Prepare
    const key = 'batch-manifests/t1/b2/manifest.csv';
    const other = 'batch-manifests/t1/b3/manifest.csv';
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'a' }));
    const { VersionId: otherVersion } = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: other, Body: 'b' }));

    // Act
    const unknown = await failureOf(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, VersionId: 'x'.repeat(32) })));
    const ofAnotherKey = await failureOf(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, VersionId: otherVersion })));
    const headUnknown = await failureOf(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, VersionId: 'x'.repeat(32) })));
    const malformed = await failureOf(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, VersionId: 'a/b' })));

    // Assess
    expect(unknown).toEqual({ name: 'NoSuchVersion', status: 404 });
    expect(ofAnotherKey).toEqual({ name: 'NoSuchVersion', status: 404 });
    expect(headUnknown).toEqual({ name: 'NotFound', status: 404 });
    expect(malformed).toMatchObject({ status: 400 });
  });

  it('keeps versions across a restart on the same data folder', async () => {
    // Prepare
    const key = 'batch-evidence/t1/e1';
    const { VersionId } = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'kept' }));
    await eventOf(key, VersionId as string);
    client.destroy();
    await s3.stop();

    // Act
    await start();
    const read = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, VersionId }));

    // Assess
    expect(await read.Body?.transformToString()).toBe('kept');
  });

  it('refuses a version read signed with a key it does not know', async () => {
    // Prepare
    const { VersionId } = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'batch-files/t1/x', Body: 'x' }));
    const stranger = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: 'STRANGER', secretAccessKey: 'x' },
    });

    // Act
    const refused = await failureOf(stranger.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'batch-files/t1/x', VersionId })));

    // Assess
    expect(refused).toEqual({ name: 'InvalidAccessKeyId', status: 403 });
    stranger.destroy();
  });
});
