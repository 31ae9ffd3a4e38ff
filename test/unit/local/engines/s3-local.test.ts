import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeEventKey, encodeEventKey } from '../../../../infra/local/engines/s3-event.ts';
import { S3_LOCAL_CREDENTIALS, type S3Local, startS3Local } from '../../../../infra/local/engines/s3-local.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// The failing notification handler is logged on purpose.
process.env.LOG_LEVEL = 'SILENT';

const BUCKET = 'evidence-bucket';
const SIGNED_HEADERS = new Set(['content-type', 'content-length']);

const clientOf = (endpoint: string) =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3_LOCAL_CREDENTIALS,
    // s3rver stores streamed uploads with flexible checksums as chunk-encoded bytes (DESIGN.md).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

/** A presigned PUT bound to the type and length of `body`, as the evidence store signs it. */
const presignPut = (client: S3Client, key: string, body: Uint8Array, options: { signingDate?: Date } = {}) =>
  getSignedUrl(
    client,
    new PutObjectCommand({ Bucket: BUCKET, Key: key, ContentType: 'application/pdf', ContentLength: body.length }),
    { expiresIn: 60, signableHeaders: SIGNED_HEADERS, ...options },
  );

const pdf = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 37) % 256);

describe('local S3 (s3rver)', () => {
  let dataDir: string;
  let s3: S3Local;
  let client: S3Client;
  const events: S3Event[] = [];
  let failNotifications = false;
  let notified: (() => void) | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 's3-local-test-'));
    s3 = await startS3Local({
      dataDir,
      buckets: [BUCKET],
      onObjectCreated: (event) => {
        events.push(event);
        notified?.();
        if (failNotifications) throw new Error('handler failed');
      },
    });
    client = clientOf(s3.endpoint);
  });
  afterEach(() => {
    events.length = 0;
    failNotifications = false;
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const nextNotification = () => new Promise<void>((resolve) => (notified = resolve));

  it('stores a presigned PUT byte for byte and notifies with the URL-encoded key', async () => {
    // Prepare
    const key = 'evidence/app 1/licence (scan).pdf';
    const body = pdf(3000);
    const url = await presignPut(client, key, body);
    const notification = nextNotification();

    // Act
    const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': 'application/pdf' } });
    await notification;

    // Assess
    expect(response.status).toBe(200);
    const stored = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await stored.Body?.transformToByteArray()).toEqual(body);
    expect(stored.ContentType).toBe('application/pdf');
    expect(events).toHaveLength(1);
    const [record] = events[0]?.Records ?? [];
    expect(record).toMatchObject({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
        object: { key: 'evidence/app+1/licence+%28scan%29.pdf', size: 3000 },
      },
    });
    expect(decodeEventKey(record?.s3.object.key ?? '')).toBe(key);
  });

  it('refuses a presigned PUT whose content type differs from the signed one', async () => {
    // Prepare
    const key = 'evidence/app-2/photo.pdf';
    const body = pdf(100);
    const url = await presignPut(client, key, body);

    // Act
    const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': 'image/png' } });

    // Assess
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    await expect(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    expect(events).toEqual([]);
  });

  it('refuses a presigned PUT whose body is longer than the signed length', async () => {
    // Prepare
    const key = 'evidence/app-3/big.pdf';
    const url = await presignPut(client, key, pdf(100));

    // Act
    const response = await fetch(url, {
      method: 'PUT',
      body: pdf(5000),
      headers: { 'content-type': 'application/pdf' },
    });

    // Assess
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('refuses an expired presigned URL', async () => {
    // Prepare
    const body = pdf(10);
    const url = await presignPut(client, 'evidence/app-4/late.pdf', body, {
      signingDate: new Date(Date.now() - 10 * 60_000),
    });

    // Act
    const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': 'application/pdf' } });

    // Assess
    expect(response.status).toBe(403);
    const text = await response.text();
    expect(text).toContain('<Code>AccessDenied</Code>');
    expect(text).toContain('Request has expired');
  });

  it('answers a browser preflight of a presigned PUT or GET from any origin, whose query it does not take for a signature', async () => {
    // Prepare: the URLs a browser is given (the preflight carries their query, signed for PUT or GET, not OPTIONS).
    const key = 'evidence/app-5/file.pdf';
    const urls = {
      PUT: await presignPut(client, key, pdf(10)),
      GET: await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 60 }),
    };

    // Act
    const preflight = (method: 'PUT' | 'GET') =>
      fetch(urls[method], {
        method: 'OPTIONS',
        headers: { origin: 'https://agency.example', 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
      });
    const [put, get] = await Promise.all([preflight('PUT'), preflight('GET')]);

    // Assess
    for (const [method, response] of [['PUT', put], ['GET', get]] as const) {
      expect(response.status, method).toBe(200);
      expect(response.headers.get('access-control-allow-origin'), method).toBe('*');
      expect(response.headers.get('access-control-allow-methods'), method).toContain(method);
    }
  });

  it('keeps serving when the notification handler throws', async () => {
    // Prepare
    failNotifications = true;
    const first = pdf(10);
    const second = pdf(20);
    const firstNotified = nextNotification();

    // Act
    const firstResponse = await fetch(await presignPut(client, 'evidence/app-6/a.pdf', first), {
      method: 'PUT',
      body: first,
      headers: { 'content-type': 'application/pdf' },
    });
    await firstNotified;
    const secondNotified = nextNotification();
    const secondResponse = await fetch(await presignPut(client, 'evidence/app-6/b.pdf', second), {
      method: 'PUT',
      body: second,
      headers: { 'content-type': 'application/pdf' },
    });
    await secondNotified;

    // Assess
    expect([firstResponse.status, secondResponse.status]).toEqual([200, 200]);
    const keys = events.map((event) => event.Records[0]?.s3.object.key);
    expect(keys).toEqual(['evidence/app-6/a.pdf', 'evidence/app-6/b.pdf']);
  });

  it('keeps objects across a restart on the same data folder', async () => {
    // Prepare
    const key = 'evidence/app-7/kept.pdf';
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: pdf(42), ContentType: 'application/pdf' }),
    );
    await s3.stop();

    // Act
    s3 = await startS3Local({ dataDir, buckets: [BUCKET] });
    client.destroy();
    client = clientOf(s3.endpoint);
    const stored = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));

    // Assess
    expect(await stored.Body?.transformToByteArray()).toEqual(pdf(42));
  });

  it("accepts the key pairs it is given (a function's own) for calls and presigned URLs, and refuses unknown keys", async () => {
    // Prepare
    const own = { accessKeyId: 'LOCALCheckEvidence', secretAccessKey: 'local-secret-CheckEvidence' };
    await s3.stop();
    s3 = await startS3Local({ dataDir, buckets: [BUCKET], accessKeys: [own] });
    const withKey = (credentials: typeof own) =>
      new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const [functionClient, stranger] = [withKey(own), withKey({ accessKeyId: 'LOCALUnknown', secretAccessKey: 'x' })];
    const key = 'evidence/app-8/own-key.pdf';

    // Act
    await functionClient.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: pdf(10) }));
    const read = await functionClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const presigned = await fetch(await presignPut(functionClient, 'evidence/app-8/upload.pdf', pdf(20)), {
      method: 'PUT',
      body: pdf(20),
      headers: { 'content-type': 'application/pdf' },
    });
    const refused = stranger.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));

    // Assess
    expect(await read.Body?.transformToByteArray()).toEqual(pdf(10));
    expect(presigned.status).toBe(200);
    await expect(refused).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    functionClient.destroy();
    stranger.destroy();
  });
});

describe('event keys', () => {
  it('encode like S3 notifications: form encoding per path segment', () => {
    // Prepare
    const key = 'evidence/a b/ü+x (1).pdf';

    // Act
    const encoded = encodeEventKey(key);

    // Assess
    expect(encoded).toBe('evidence/a+b/%C3%BC%2Bx+%281%29.pdf');
    expect(decodeEventKey(encoded)).toBe(key);
  });
});

// Why startS3Local checks presigned signatures itself: s3rver 3.7.1 accepts any V4 signature from a known key
// ("Signature version 4 calculation is unimplemented", lib/middleware/authentication.js).
describe('s3rver 3.7.1 on its own', () => {
  let dataDir: string;
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 's3rver-bare-test-'));
    const bare = new S3rver({
      directory: dataDir,
      silent: true,
      vhostBuckets: false,
      configureBuckets: [{ name: BUCKET }],
    });
    await bare.configureBuckets();
    bare.on('error', () => undefined);
    server = createServer(bare.getMiddleware());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('does not enforce the signed content type of a presigned PUT', async () => {
    // Prepare
    const client = clientOf(endpoint);
    const body = pdf(10);
    const url = await presignPut(client, 'evidence/unchecked.pdf', body);
    client.destroy();

    // Act
    const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': 'image/png' } });

    // Assess
    expect(response.status).toBe(200);
  });
});
