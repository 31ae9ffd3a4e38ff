/**
 * Object versions for the local S3, which s3rver does not keep (it ignores `versionId` and overwrites an object in
 * place). The app's bucket is versioned, and the code relies on it: a manifest's ingestion reads the version whose
 * upload started it (the S3 event's `versionId`), so that a second upload to the same key half-way through cannot mix
 * two files. Here each upload gets a version id, answered in `x-amz-version-id` and carried by its event; its bytes are
 * kept apart once they are on disk, and `GET`/`HEAD ?versionId=` is served from them (with `Range`), or answered
 * `NoSuchVersion`.
 *
 * Not kept: versions of objects stored before (they have none), delete markers (a DELETE removes the current object
 * as s3rver does; its versions stay readable), `ListObjectVersions`, and `x-amz-version-id` on reads without a
 * `versionId`. No function uses them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a version keeps besides its bytes. */
interface VersionRecord {
  key: string;
  size: number;
  /** The object's headers as s3rver serves them (`content-type`, `etag`, `last-modified`, `x-amz-meta-*`…). */
  headers: Record<string, string>;
}

/** Where s3rver keeps an object, and its headers (s3rver's own `FilesystemStore`). */
export interface StoredObjects {
  objectPath(bucket: string, key: string): string;
  headers(bucket: string, key: string): Promise<Record<string, string>>;
}

/** One object creation s3rver has reported: its size, and its MD5 (`eTag`) when s3rver knows it. */
export interface CreatedObject {
  bucket: string;
  key: string;
  size: number;
  eTag?: string;
}

/** How S3 spells its version ids: opaque, URL-safe, up to 1,024 characters. */
const VERSION_ID = /^[A-Za-z0-9._-]{1,1024}$/;

/** Query parameters that override a response header of a GET (S3's `response-content-type`…). */
const RESPONSE_OVERRIDES = ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding'];

/** How long an upload's bytes may take to reach s3rver's file after s3rver has reported it (it reports early). */
const SETTLE_MS = 5_000;

export class ObjectVersions {
  /** Versions being kept: a read of one waits for it. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    /** `<dataDir>/.versions`: no bucket name starts with a dot, so s3rver never serves it. */
    private readonly root: string,
    private readonly objects: StoredObjects,
    private readonly warn: (message: string, fields: Record<string, unknown>) => void,
  ) {}

  /** A new version id, like S3's: 32 URL-safe characters. */
  static newId(): string {
    return randomBytes(24).toString('base64url');
  }

  /**
   * Keeps the bytes s3rver has just stored for `created` as version `versionId`. s3rver reports an upload before its
   * file is complete, so this waits until the file has the reported size (and MD5, when reported). Resolves when the
   * version can be read; if the object changed meanwhile (another upload to the same key), the version is lost and
   * logged, and reading it answers `NoSuchVersion`.
   */
  keep(created: CreatedObject, versionId: string): Promise<void> {
    const kept = this.copy(created, versionId)
      .catch((error: unknown) => this.warn('local S3: an object version could not be kept', { key: created.key, versionId, error }))
      .finally(() => this.pending.delete(versionId));
    this.pending.set(versionId, kept);
    return kept;
  }

  private async copy(created: CreatedObject, versionId: string): Promise<void> {
    const source = this.objects.objectPath(created.bucket, created.key);
    const target = this.pathOf(created.bucket, versionId);
    await mkdir(path.dirname(target), { recursive: true });
    // A multipart upload's ETag (`…-3`) is no MD5 of the bytes: only the size is checked then.
    const md5 = created.eTag?.replace(/"/g, '').match(/^[0-9a-f]{32}$/)?.[0];
    const deadline = Date.now() + SETTLE_MS;
    for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
      const size = await stat(source).then((s) => s.size, () => -1);
      if (size === created.size) {
        await copyFile(source, `${target}.tmp`);
        if (md5 === undefined || (await md5Of(`${target}.tmp`)) === md5) break;
      }
      if (Date.now() > deadline) throw new Error(`the object is not the one uploaded (size ${size}, expected ${created.size})`);
      await sleep(wait);
    }
    const record: VersionRecord = { key: created.key, size: created.size, headers: await this.objects.headers(created.bucket, created.key) };
    if (md5 !== undefined) record.headers.etag = `"${md5}"`;
    await writeFile(`${target}.json`, JSON.stringify(record));
    await rename(`${target}.tmp`, `${target}.object`);
  }

  /**
   * Answers a `GET` or `HEAD` of `key` at `versionId` from the kept bytes: 200 (or 206 for a `Range`), with the
   * object's headers and `x-amz-version-id`; `NoSuchVersion` (404) for a version this key does not have, 400 for an
   * id S3 would not have made.
   */
  async serve(request: IncomingMessage, response: ServerResponse, target: { bucket: string; key: string; versionId: string; query: URLSearchParams }): Promise<void> {
    const { bucket, key, versionId, query } = target;
    const head = request.method === 'HEAD';
    request.resume();
    if (!VERSION_ID.test(versionId)) return answerError(response, head, 400, 'InvalidArgument', 'Invalid version id specified', { ArgumentName: 'versionId', ArgumentValue: versionId });
    await this.pending.get(versionId);
    const file = this.pathOf(bucket, versionId);
    const record = await readFile(`${file}.json`, 'utf8').then((text) => JSON.parse(text) as VersionRecord, () => undefined);
    const present = record !== undefined && (await stat(`${file}.object`).then(() => true, () => false));
    if (!present || record.key !== key) {
      return answerError(response, head, 404, 'NoSuchVersion', 'The specified version does not exist.', { Key: key, VersionId: versionId });
    }

    const headers: Record<string, string | number> = { ...record.headers, 'accept-ranges': 'bytes', 'x-amz-version-id': versionId };
    for (const name of RESPONSE_OVERRIDES) {
      const value = query.get(`response-${name}`);
      if (value !== null) headers[name] = value;
    }
    const range = parseRange(request.headers.range, record.size);
    if (range === 'unsatisfiable') {
      return answerError(response, head, 416, 'InvalidRange', 'The requested range is not satisfiable', { ActualObjectSize: String(record.size) });
    }
    const { start, end } = range ?? { start: 0, end: record.size - 1 };
    headers['content-length'] = Math.max(0, end - start + 1);
    if (range) headers['content-range'] = `bytes ${start}-${end}/${record.size}`;
    response.writeHead(range ? 206 : 200, headers);
    if (head || record.size === 0) {
      response.end();
      return;
    }
    createReadStream(`${file}.object`, { start, end })
      .on('error', (error) => response.destroy(error))
      .pipe(response);
  }

  private pathOf(bucket: string, versionId: string): string {
    return path.join(this.root, bucket, versionId);
  }
}

/** A `Range: bytes=…` header as S3 reads it: `a-b`, `a-`, `-n` (the last n bytes); undefined when there is none. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return undefined; // S3 ignores a range it cannot parse
  const [, first = '', last = ''] = match;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}

/** S3's XML error (no body for a HEAD). */
function answerError(response: ServerResponse, head: boolean, status: number, code: string, message: string, details: Record<string, string>): void {
  const extra = Object.entries(details)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  const body = head ? '' : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}</Error>`;
  response.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function md5Of(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
