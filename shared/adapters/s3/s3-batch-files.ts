import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BatchFileStore } from '../../ports/batch-services.ts';
import { missingOrThrow } from './head-object-error.ts';

/** Batch files (manifests, inline items, report parts, reports) in the evidence bucket, under their own prefixes. */
export class S3BatchFiles implements BatchFileStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  presignUpload(input: { key: string; contentType: string; expiresInSeconds: number }): Promise<string> {
    // The content type is signed (S3 refuses a PUT with another); the size is not known when the batch is created.
    return getSignedUrl(this.client, new PutObjectCommand({ Bucket: this.bucket, Key: input.key, ContentType: input.contentType }), {
      expiresIn: input.expiresInSeconds,
      signableHeaders: new Set(['content-type']),
    });
  }

  presignDownload(input: { key: string; fileName: string; expiresInSeconds: number }): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: input.key,
      ResponseContentType: 'text/csv; charset=utf-8',
      ResponseContentDisposition: `attachment; filename="${input.fileName}"`,
    });
    return getSignedUrl(this.client, command, { expiresIn: input.expiresInSeconds });
  }

  async put(key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  async size(key: string, version?: string): Promise<number | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key, ...(version ? { VersionId: version } : {}) }));
      return head.ContentLength ?? 0;
    } catch (error) {
      return missingOrThrow(error, key);
    }
  }

  async read(key: string, options: { start?: number; version?: string } = {}): Promise<Readable> {
    const out = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ...(options.version ? { VersionId: options.version } : {}),
        ...(options.start ? { Range: `bytes=${options.start}-` } : {}),
      }),
    );
    return out.Body as Readable;
  }

  async concat(input: { target: string; header: string; parts: string[]; contentType: string }): Promise<void> {
    const header = Buffer.from(input.header, 'utf8');
    const sizes = await Promise.all(input.parts.map(async (part) => (await this.size(part)) ?? 0));
    const contentLength = header.length + sizes.reduce((a, b) => a + b, 0);
    const read = (key: string) => this.read(key);
    async function* body(): AsyncGenerator<Uint8Array> {
      yield header;
      // One part at a time: the report is never held in memory whole.
      for (const [i, part] of input.parts.entries()) if (sizes[i]) yield* await read(part);
    }
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: input.target,
        Body: Readable.from(body()),
        ContentLength: contentLength,
        ContentType: input.contentType,
      }),
    );
  }
}
