import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { S3EvidenceStore } from '../../../shared/adapters/s3/s3-evidence-store.ts';

const s3 = mockClient(S3Client);
// The mocks replace the clients' `send` for every instance: put it back for the test files that share this process.
afterAll(() => {
  s3.restore();
});
const client = () => new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });

/** A response body as the SDK gives it: a stream with `transformToByteArray`. */
function body(bytes: Buffer) {
  return Object.assign(Readable.from([bytes]), { transformToByteArray: async () => new Uint8Array(bytes) });
}

describe('S3EvidenceStore', () => {
  beforeEach(() => s3.reset());

  it('presigns a short-lived PUT that signs content-type and content-length', async () => {
    // Prepare
    const store = new S3EvidenceStore(client(), 'evidence-bucket');

    // Act
    const url = new URL(
      await store.presignUpload({ key: 'evidence/t/a/e', contentType: 'application/pdf', contentLength: 1234, expiresInSeconds: 600 }),
    );

    // Assess
    expect(url.pathname).toContain('evidence/t/a/e');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('600');
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(expect.arrayContaining(['content-length', 'content-type', 'host']));
  });

  it('presigns a GET signed at the given time, its response type and disposition in the signed query, without a call', async () => {
    // Prepare
    const store = new S3EvidenceStore(client(), 'evidence-bucket');

    // Act
    const url = new URL(
      await store.presignDownload({
        key: 'evidence/t/a/e',
        contentType: 'image/png',
        contentDisposition: 'inline; filename="e.png"',
        expiresInSeconds: 300,
        signedAt: new Date('2026-03-02T02:00:00.000Z'),
      }),
    );

    // Assess
    expect(url.pathname).toContain('evidence/t/a/e');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20260302T020000Z');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('response-content-type')).toBe('image/png');
    expect(url.searchParams.get('response-content-disposition')).toBe('inline; filename="e.png"');
    expect(s3.calls()).toHaveLength(0);
  });

  it('reads the size and only the first bytes of an object', async () => {
    // Prepare
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5000 });
    s3.on(GetObjectCommand).resolves({ Body: body(Buffer.from('%PDF-1.7 and more')) as never });
    const store = new S3EvidenceStore(client(), 'evidence-bucket');

    // Act
    const head = await store.head('evidence/t/a/e', 8);

    // Assess
    expect(head?.size).toBe(5000);
    expect(Buffer.from(head?.head ?? []).toString()).toBe('%PDF-1.7');
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({ Key: 'evidence/t/a/e', Range: 'bytes=0-7' });
  });

  it('answers undefined for a missing object', async () => {
    // Prepare
    s3.on(HeadObjectCommand).rejects(Object.assign(new Error('NotFound'), { name: 'NotFound' }));
    const store = new S3EvidenceStore(client(), 'evidence-bucket');

    // Act
    const head = await store.head('evidence/t/a/missing', 8);

    // Assess
    expect(head).toBeUndefined();
  });

  it('hashes the whole object as it streams', async () => {
    // Prepare
    const content = Buffer.from('%PDF-1.4 evidence content');
    s3.on(GetObjectCommand).resolves({ Body: body(content) as never });
    const store = new S3EvidenceStore(client(), 'evidence-bucket');

    // Act
    const sha = await store.sha256('evidence/t/a/e');

    // Assess
    expect(sha).toBe(createHash('sha256').update(content).digest('hex'));
  });
});
