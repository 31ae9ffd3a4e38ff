import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { S3Event } from 'aws-lambda';
import S3rver, { type S3rverEventRecord } from 's3rver';
import s3rverAccount from 's3rver/lib/models/account.js';
import { log } from '../../../shared/log.ts';
import { checkPresignedSignature } from './presigned-url-signature.ts';
import { toObjectCreatedEvent } from './s3-event.ts';
import { KeptNotifications } from './s3-notifications.ts';
import { ObjectVersions } from './s3-versions.ts';

/** The credentials s3rver knows by itself; clients of the local S3 sign with them or with {@link S3LocalOptions.accessKeys}. */
export const S3_LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** Options of {@link startS3Local}. */
export interface S3LocalOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Folder holding the buckets and objects (created if missing); they survive restarts. */
  dataDir: string;
  /** Buckets to create (existing ones are kept), each with a CORS rule that lets a browser PUT and GET from any origin. */
  buckets: string[];
  /**
   * Receives every `ObjectCreated:*` notification, as Lambda would (one record per event), after the upload has been
   * answered. Errors are logged; they never reach the uploader or the server. Each is kept in the data folder
   * (`.notifications`) until its call has settled, so one a crash interrupted is delivered again (`deliverKept`).
   */
  onObjectCreated?: (event: S3Event) => void | Promise<void>;
  /** `awsRegion` of the event records (default `us-east-1`, as s3rver's own). */
  region?: string;
  /**
   * More key pairs to accept besides {@link S3_LOCAL_CREDENTIALS} (each local function signs with its own). s3rver
   * refuses an unknown access key id (`InvalidAccessKeyId`); these are added to the account it checks them against
   * (one per process, shared by every s3rver in it), and presigned URLs signed with them are checked with their secret.
   */
  accessKeys?: { accessKeyId: string; secretAccessKey: string }[];
  /**
   * Buckets that version their objects, as the app's evidence bucket does (see `ObjectVersions`): each upload gets a
   * version id (`x-amz-version-id`, and `versionId` in its event), and `GET`/`HEAD ?versionId=` reads that version.
   * Versions are kept in `<dataDir>/.versions`. Default: none (s3rver's own behaviour, which ignores `versionId`).
   */
  versionedBuckets?: string[];
  /** Told of every request the local S3 receives, before it is answered (the local runtime's usage meter counts them). */
  onRequest?: (request: IncomingMessage) => void;
}

/** A running local S3. */
export interface S3Local {
  /** `http://127.0.0.1:<port>`; clients need `forcePathStyle: true` and {@link S3_LOCAL_CREDENTIALS} or one of `accessKeys`. */
  endpoint: string;
  /** Closes the server and waits for notifications still being handled. Safe to call more than once. */
  stop(): Promise<void>;
  /**
   * Hands on the notifications a crash left unhandled (kept in the data folder: see `KeptNotifications`), as S3 would
   * deliver them after all; call once their handler can run. Returns how many.
   */
  deliverKept(): number;
}

// Mirrors the evidence bucket's CORS rule in the CDK app (EvidenceStore): a browser uploads with a presigned PUT, and
// the console reads a batch's report with a presigned GET.
const CORS_CONFIGURATION = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedHeader>content-type</AllowedHeader>
    <AllowedHeader>content-md5</AllowedHeader>
    <AllowedHeader>x-amz-*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <ExposeHeader>x-amz-version-id</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

/**
 * Starts s3rver, filesystem-backed, on 127.0.0.1, with the given buckets.
 *
 * s3rver accepts any Signature V4 without checking it; this server checks the signature of presigned URLs itself
 * before handing requests to s3rver, so a PUT whose signed headers (`content-type`, `content-length`) differ from the
 * request's is refused with `403 SignatureDoesNotMatch` as S3 would. s3rver refuses expired URLs on its own.
 * Header-signed requests (the SDK's own calls) are not verified.
 */
export async function startS3Local(options: S3LocalOptions): Promise<S3Local> {
  const directory = path.resolve(options.dataDir);
  await mkdir(directory, { recursive: true });
  const s3rver = new S3rver({
    directory,
    silent: true,
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [CORS_CONFIGURATION] })),
  });
  await s3rver.configureBuckets();

  const pending = new Set<Promise<void>>();
  const region = options.region ?? 'us-east-1';
  const versioned = new Set(options.versionedBuckets ?? []);
  const versions = new ObjectVersions(
    path.join(directory, '.versions'),
    {
      objectPath: (bucket, key) => s3rver.store.getResourcePath(bucket, key, 'object'),
      headers: async (bucket, key) => {
        const { 'content-length': _length, ...metadata } = await s3rver.store.getMetadata(bucket, key);
        return Object.fromEntries(Object.entries(metadata).map(([name, value]) => [name, String(value)]));
      },
    },
    (message, fields) => log.warn(message, fields),
  );
  /** The request s3rver is handling, in whose course it emits its events (to answer the new version's id). */
  const requests = new AsyncLocalStorage<ServerResponse>();
  const notifications = options.onObjectCreated ? new KeptNotifications(path.join(directory, '.notifications')) : undefined;
  /** Hands a notification to the handler once it is kept (and its version), then forgets it. */
  const deliver = (event: S3Event, kept: Promise<string | undefined>): void => {
    let id: string | undefined;
    // S3 notifies asynchronously: the handler runs after the upload is answered.
    const delivery = Promise.all([kept, new Promise<void>((resolve) => setImmediate(resolve))])
      .then(([keptId]) => {
        id = keptId;
        return options.onObjectCreated?.(event);
      })
      .catch((error: unknown) => log.error('local S3: object-created handler failed', { key: event.Records[0]?.s3.object.key, error }))
      .finally(() => {
        if (id) notifications?.done(id);
        pending.delete(delivery);
      });
    pending.add(delivery);
  };
  s3rver.on('event', (raw: { Records: S3rverEventRecord[] }) => {
    for (const record of raw.Records) {
      if (!record.eventName.startsWith('ObjectCreated:')) continue;
      const bucket = record.s3.bucket.name;
      const response = requests.getStore();
      const versionId = versioned.has(bucket) ? ObjectVersions.newId() : undefined;
      const event = notifications ? toObjectCreatedEvent(record, region, versionId) : undefined;
      // The upload is answered once its notification is durable (on disk until its handler is done, see
      // KeptNotifications) and, in a versioned bucket, its version kept. s3rver emits before it answers: without a
      // version the notification is written right here; with one, the answer is held until both are done.
      let kept: Promise<string | undefined>;
      if (versionId) {
        if (response && !response.headersSent) response.setHeader('x-amz-version-id', versionId);
        const { key, size = 0, eTag } = record.s3.object;
        kept = versions.keep({ bucket, key, size, ...(eTag ? { eTag } : {}) }, versionId).then(() => (event ? notifications?.keep(event) : undefined));
        if (response) answerOnceKept(response, kept);
      } else {
        kept = Promise.resolve(event ? notifications?.keep(event) : undefined);
      }
      if (event) deliver(event, kept);
    }
  });
  // Koa would print every failed request to stderr; client errors (404, 403) are answers, not faults.
  s3rver.on('error', (error: Error & { status?: number }) => {
    if ((error.status ?? 500) >= 500) log.warn('local S3: request failed', { error });
  });

  const secrets = new Map<string, string>([[S3_LOCAL_CREDENTIALS.accessKeyId, S3_LOCAL_CREDENTIALS.secretAccessKey]]);
  for (const { accessKeyId, secretAccessKey } of options.accessKeys ?? []) {
    s3rverAccount.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
    secrets.set(accessKeyId, secretAccessKey);
  }
  const secretOf = (accessKeyId: string): string | undefined => secrets.get(accessKeyId);

  const handle = s3rver.getMiddleware();
  const server = createServer((request, response) => {
    options.onRequest?.(request);
    // A browser's CORS preflight (OPTIONS) carries the presigned URL's query but no signature of its own: S3 answers
    // it from the bucket's CORS rules alone, and so does s3rver.
    if (request.method === 'OPTIONS') return requests.run(response, () => handle(request, response));
    const check = checkPresignedSignature(
      { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers },
      secretOf,
    );
    if (check === 'invalid') return refuseSignature(request, response);
    const versionRead = versionReadOf(request, versioned);
    if (versionRead === undefined) return requests.run(response, () => handle(request, response));
    // s3rver would serve the current object whatever the version asked: a version is read from where it is kept.
    if (!knownCaller(request, secretOf)) return refuseAccessKey(request, response);
    versions.serve(request, response, versionRead).catch((error: unknown) => {
      log.warn('local S3: reading an object version failed', { key: versionRead.key, error });
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    await Promise.allSettled([...pending]);
    s3rver.logger.exceptions.unhandle();
    s3rver.logger.close();
  };
  const deliverKept = (): number => {
    const kept = notifications?.list() ?? [];
    for (const { id, event } of kept) deliver(event, Promise.resolve(id));
    return kept.length;
  };
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => (stopping ??= stop()), deliverKept };
}

/**
 * Holds the upload's answer until its version (and its notification) is kept. The version is copied from the object's
 * file, so an upload to the same key that came in before the copy (a client's next PUT, as soon as it has this answer,
 * on a busy machine) would change the file under it and lose this version; as in S3, a version named in an answer is
 * there to read.
 */
function answerOnceKept(response: ServerResponse, kept: Promise<unknown>): void {
  const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
  response.end = ((...args: unknown[]) => {
    void kept.finally(() => end(...args));
    return response;
  }) as ServerResponse['end'];
}

/** A `GET` or `HEAD` of an object of a versioned bucket at a `versionId` (and no subresource), or undefined. */
function versionReadOf(
  request: IncomingMessage,
  versioned: ReadonlySet<string>,
): { bucket: string; key: string; versionId: string; query: URLSearchParams } | undefined {
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
  const url = new URL(request.url ?? '/', 'http://local');
  const versionId = url.searchParams.get('versionId');
  if (versionId === null || versionId === 'null') return undefined;
  if (['acl', 'tagging', 'attributes', 'retention', 'legal-hold', 'uploadId'].some((q) => url.searchParams.has(q))) return undefined;
  const [bucket = '', ...segments] = url.pathname.slice(1).split('/');
  const key = segments.map((segment) => decodeURIComponent(segment)).join('/');
  if (!versioned.has(decodeURIComponent(bucket)) || key === '') return undefined;
  return { bucket: decodeURIComponent(bucket), key, versionId, query: url.searchParams };
}

/** Whether a request is signed with a key this S3 knows (s3rver checks it for the requests it serves itself). */
function knownCaller(request: IncomingMessage, secretOf: (accessKeyId: string) => string | undefined): boolean {
  const authorization = request.headers.authorization;
  const fromQuery = new URL(request.url ?? '/', 'http://local').searchParams.get('X-Amz-Credential')?.split('/')[0];
  const accessKeyId = typeof authorization === 'string' ? /Credential=([^/,\s]+)\//.exec(authorization)?.[1] : fromQuery;
  return accessKeyId !== undefined && secretOf(accessKeyId) !== undefined;
}

function refuseAccessKey(request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you ' +
    'provided does not exist in our records.</Message></Error>';
  response.writeHead(403, { 'content-type': 'application/xml', 'content-length': request.method === 'HEAD' ? 0 : Buffer.byteLength(body) });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** S3's answer to a signature that does not match; the body is drained so the connection can be reused. */
function refuseSignature(request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature ' +
    'we calculated does not match the signature you provided. Check your key and signing method.</Message></Error>';
  response.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
