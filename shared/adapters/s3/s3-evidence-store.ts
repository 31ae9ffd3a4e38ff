import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { EvidenceStore } from '../../ports/services.ts';
import { missingOrThrow } from './head-object-error.ts';

/** Evidence files in one S3 bucket. */
export class S3EvidenceStore implements EvidenceStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async presignUpload(input: Parameters<EvidenceStore['presignUpload']>[0]): Promise<string> {
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: input.key,
      ContentType: input.contentType,
      ContentLength: input.contentLength,
    });
    // Signing content-type and content-length binds the URL to exactly the declared file: S3 refuses a PUT whose
    // headers differ from the signed ones, so a client cannot swap in a bigger or different kind of file.
    return getSignedUrl(this.client, command, {
      expiresIn: input.expiresInSeconds,
      signableHeaders: new Set(['content-type', 'content-length']),
    });
  }

  presignDownload(input: Parameters<EvidenceStore['presignDownload']>[0]): Promise<string> {
    // The response-* overrides are part of the signed query: a holder of the URL cannot change how it is served.
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: input.key,
      ResponseContentType: input.contentType,
      ResponseContentDisposition: input.contentDisposition,
    });
    return getSignedUrl(this.client, command, { expiresIn: input.expiresInSeconds, signingDate: input.signedAt });
  }

  async head(key: string, bytes: number): Promise<{ size: number; head: Uint8Array } | undefined> {
    let size: number;
    try {
      const meta = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      size = meta.ContentLength ?? 0;
    } catch (error) {
      return missingOrThrow(error, key);
    }
    if (size === 0) return { size, head: new Uint8Array() };
    const out = await this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${Math.min(bytes, size) - 1}` }),
    );
    const head = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    return { size, head: head.subarray(0, bytes) };
  }

  async sha256(key: string): Promise<string> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const hash = createHash('sha256');
    for await (const chunk of out.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    return hash.digest('hex');
  }
}
