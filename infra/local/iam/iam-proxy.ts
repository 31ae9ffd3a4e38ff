/**
 * An HTTP proxy in front of one local engine (DynamoDB Local, s3rver, the local Step Functions API) that authorises
 * every call of a function against its role's policies, as AWS would, before the engine sees it. A call is made by
 * the function whose access key signed it (`Authorization: … Credential=<key>/…`, or a presigned URL's
 * `X-Amz-Credential`); a denied call is answered as AWS answers it (`AccessDeniedException`, S3's `AccessDenied`), so
 * the unchanged SDK and application code see exactly what they would see in AWS.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request as httpRequest,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { checkPresignedSignature } from '../engines/presigned-url-signature.ts';
import {
  accessKeyIdOf,
  type AuthorizationRequest,
  type Classification,
  classifyRequest,
  type ClassifyOptions,
  type ProxiedService,
  UnclassifiedRequestError,
} from './classify.ts';
import type { Caller, Identify } from './local-credentials.ts';
import type { Decision, PolicyEvaluator } from './policy-evaluator.ts';

export interface IamProxyOptions {
  /** The engine's endpoint, e.g. `http://127.0.0.1:8000`. */
  target: string;
  service: ProxiedService;
  /** Who signed a request (see `identifyFunctions`). */
  identify: Identify;
  /** The functions' policies (one evaluator for every proxy of a runtime shares its cache). */
  policies: PolicyEvaluator;
  /** Bucket keys and task-token lookups for the classifier. */
  classify?: ClassifyOptions;
  /**
   * Credentials the engine accepts: forwarded requests signed with another key are signed again with these (s3rver
   * only knows `S3RVER`/`S3RVER`). Without them, requests are forwarded as signed.
   */
  upstreamCredentials?: { accessKeyId: string; secretAccessKey: string };
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /**
   * Told about every authorised call of a function (for logs and measurements). An S3 read of a missing object by a
   * function that may not `s3:ListBucket` is told twice: allowed, then denied `s3:ListBucket` (the 403 it gets).
   */
  onDecision?: (event: ProxyDecision) => void;
}

/** One call of a function, and what the proxy decided. */
export interface ProxyDecision {
  service: ProxiedService;
  functionId: string;
  operation: string;
  allowed: boolean;
  /** Every authorisation the call needed (all allowed, or the first denied one in `denied`). */
  authorizations: AuthorizationRequest[];
  /** The authorisation that was denied, when one was. */
  denied?: AuthorizationRequest;
  /** Time spent classifying and evaluating, in milliseconds. */
  authorizeMs: number;
}

export interface IamProxy {
  /** `http://127.0.0.1:<port>`: the endpoint the functions are given instead of the engine's. */
  url: string;
  stop(): Promise<void>;
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

/** Bodies of the JSON protocols are read whole to be classified; DynamoDB's largest request is 16 MB. */
const MAX_JSON_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Starts the proxy on 127.0.0.1. Unrestricted callers' requests pass unchanged; a function's request is classified
 * (`classifyRequest`), evaluated (`PolicyEvaluator`), then forwarded or refused. For S3, a function's GET or HEAD of a
 * missing object is answered `403 AccessDenied`, not `404 NoSuchKey`, unless its role may `s3:ListBucket` the bucket,
 * as S3 does.
 */
export async function startIamProxy(options: IamProxyOptions): Promise<IamProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true });
  const signer = options.upstreamCredentials ? new UpstreamSigner(options.upstreamCredentials, target.host) : undefined;
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy(error as Error);
      else answerError(response, options.service, request.method, 500, 'InternalFailure', `Local IAM proxy: ${String(error)}`);
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    const method = request.method ?? 'GET';
    // A browser's CORS preflight of a presigned URL (the console's uploads and report reads) is no call of the signer's:
    // S3 answers it from the bucket's CORS rules alone. Its query (the URL's signature, for another method) is left off,
    // so that the engine does not take it for the request's own credentials.
    if (options.service === 's3' && method === 'OPTIONS') {
      return forward(request, response, { url: url.split('?')[0] ?? '/', body: undefined, accessKeyId: undefined });
    }
    const accessKeyId = accessKeyIdOf({ url, headers: request.headers });
    const caller: Caller | undefined = options.identify(accessKeyId);
    const refuse = (answer: () => void) => {
      request.resume();
      answer();
    };
    if (caller === undefined) return refuse(() => refuseCredentials(response, options.service, method));
    const body = options.service === 's3' ? undefined : await readBody(request);
    if (caller === 'unrestricted') return forward(request, response, { url, body, accessKeyId });

    const started = performance.now();
    let classification: Classification;
    try {
      classification = classifyRequest(options.service, { method, url, headers: request.headers, ...(body ? { body } : {}) }, options.classify);
    } catch (error) {
      if (!(error instanceof UnclassifiedRequestError)) throw error;
      const message = `The local IAM proxy does not know which IAM actions this request needs: ${error.message}`;
      return refuse(() => answerError(response, options.service, method, 501, 'NotImplemented', message));
    }
    // A presigned URL carries its signer's authority: it must match what was signed, as S3 checks.
    if (options.service === 's3' && checkPresignedSignature({ method, url, headers: request.headers }, () => caller.secretAccessKey) === 'invalid') {
      return refuse(() => answerError(response, 's3', method, 403, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH));
    }
    const { functionId } = caller;
    const principal = options.policies.identity(functionId)?.principalArn ?? functionId;
    const authorization = await options.policies.authorize(functionId, classification.authorizations);
    const { operation } = classification;
    options.onDecision?.({
      service: options.service,
      functionId,
      operation,
      allowed: authorization.allowed,
      authorizations: classification.authorizations,
      ...(authorization.denied ? { denied: authorization.denied.request } : {}),
      authorizeMs: performance.now() - started,
    });
    const denied = authorization.denied;
    if (denied) return refuse(() => answerDenied(response, options.service, method, principal, denied));

    if (options.service !== 's3' || (operation !== 'GetObject' && operation !== 'HeadObject')) {
      return forward(request, response, { url, body, accessKeyId });
    }
    // S3 tells a caller that an object is missing only when it may list the bucket; it refuses anyone else.
    const bucketArn = (classification.authorizations[0]?.resource ?? '').replace(/\/.*$/, '');
    const onNotFound = async (code: string | undefined): Promise<boolean> => {
      if (code !== undefined && code !== 'NoSuchKey' && code !== 'NoSuchVersion') return false;
      const listStarted = performance.now();
      const list = { action: 's3:ListBucket', resource: bucketArn };
      const { denied: listDenied } = await options.policies.authorize(functionId, [list]);
      if (listDenied) {
        // Reported too: the read was allowed, being told that the object is missing was not.
        options.onDecision?.({ service: 's3', functionId, operation, allowed: false, authorizations: [list], denied: list, authorizeMs: performance.now() - listStarted });
        answerDenied(response, 's3', method, principal, listDenied);
      }
      return listDenied !== undefined;
    };
    return forward(request, response, { url, body, accessKeyId, onNotFound });
  }

  /**
   * Sends the request on to the engine and its answer back. `onNotFound` sees a 404 first (with its S3 error code;
   * undefined for a HEAD, which has no body) and returns true when it answered instead.
   */
  async function forward(
    request: IncomingMessage,
    response: ServerResponse,
    forwarded: {
      url: string;
      body: Buffer | undefined;
      accessKeyId: string | undefined;
      onNotFound?: (code: string | undefined) => Promise<boolean>;
    },
  ): Promise<void> {
    let path = forwarded.url;
    const headers: IncomingHttpHeaders = { ...request.headers, host: target.host };
    delete headers.expect;
    delete headers.connection;
    if (signer && forwarded.accessKeyId !== undefined && forwarded.accessKeyId !== options.upstreamCredentials?.accessKeyId) {
      const signed = await signer.sign(request.method ?? 'GET', forwarded.url, headers);
      path = signed.path;
      Object.assign(headers, signed.headers);
      if (signed.dropAuthorization) delete headers.authorization;
    }
    if (forwarded.body) headers['content-length'] = String(forwarded.body.length);

    const upstreamResponse = await new Promise<IncomingMessage>((resolve, reject) => {
      const upstream = httpRequest({ host: target.hostname, port: target.port, method: request.method, path, headers, agent }, resolve);
      upstream.on('error', reject);
      if (forwarded.body) upstream.end(forwarded.body);
      else request.pipe(upstream);
    });
    if (upstreamResponse.statusCode === 404 && forwarded.onNotFound) {
      const errorBody = await readBody(upstreamResponse);
      const code = /<Code>([^<]+)<\/Code>/.exec(errorBody.toString('utf8'))?.[1];
      if (await forwarded.onNotFound(request.method === 'HEAD' ? undefined : code)) return;
      response.writeHead(404, upstreamResponse.headers);
      response.end(errorBody);
      return;
    }
    response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
    upstreamResponse.pipe(response);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      })),
  };
}

async function readBody(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY_BYTES) throw new Error('Request body too large for the local IAM proxy');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** AWS's denial: `User: <principal> is not authorized to perform: <action> on resource: <arn> because …`. */
function answerDenied(
  response: ServerResponse,
  service: ProxiedService,
  method: string | undefined,
  principal: string,
  denied: Decision,
): void {
  const { action, resource } = denied.request;
  const quoted = service === 's3' ? `"${resource}"` : resource;
  const message = `User: ${principal} is not authorized to perform: ${action} on resource: ${quoted} ${denied.reason ?? ''}`.trim();
  if (service === 's3') answerError(response, service, method, 403, 'AccessDenied', message);
  else answerError(response, service, method, 400, 'AccessDeniedException', message);
}

/** An unknown access key, as each service words it. */
function refuseCredentials(response: ServerResponse, service: ProxiedService, method: string | undefined): void {
  if (service === 's3') {
    answerError(response, service, method, 403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  } else {
    answerError(response, service, method, 400, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
}

/** An error in the service's protocol: S3's XML (no body for a HEAD), or the JSON protocols' `__type`. */
function answerError(
  response: ServerResponse,
  service: ProxiedService,
  method: string | undefined,
  status: number,
  code: string,
  message: string,
): void {
  const requestId = randomUUID();
  if (service === 's3') {
    const error = `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>${requestId}</RequestId></Error>`;
    const body = method === 'HEAD' ? '' : `<?xml version="1.0" encoding="UTF-8"?>\n${error}`;
    response.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': requestId });
    response.end(body);
    return;
  }
  // DynamoDB writes `Message`, Step Functions `message`; the SDK reads either.
  const text = JSON.stringify({ __type: `com.amazon.coral.service#${code}`, [service === 'dynamodb' ? 'Message' : 'message']: message });
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': code,
  });
  response.end(text);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** SHA-256 (and HMAC-SHA256 with a secret) in the shape the signer wants. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

function bytesOf(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/**
 * Signs a forwarded request again with the engine's credentials, over the same parts (method, path, query, the
 * headers that were signed): a header-signed request gets a new `Authorization`, a presigned URL a new query with the
 * same date and expiry. The original signature has been checked by then (a presigned one by the proxy; a
 * header-signed one is trusted, as the engines trust it).
 */
class UpstreamSigner {
  constructor(
    private readonly credentials: { accessKeyId: string; secretAccessKey: string },
    private readonly host: string,
  ) {}

  async sign(
    method: string,
    url: string,
    headers: IncomingHttpHeaders,
  ): Promise<{ path: string; headers: Record<string, string>; dropAuthorization: boolean }> {
    const queryStart = url.indexOf('?');
    const path = canonicalPath(queryStart === -1 ? url : url.slice(0, queryStart));
    const query = Object.fromEntries(new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1)));
    const presigned = query['X-Amz-Credential'];
    const credential = presigned ?? /Credential=([^,\s]+)/.exec(String(headers.authorization ?? ''))?.[1] ?? '';
    const [, , region = 'us-east-1', service = 's3'] = credential.split('/');
    const signer = new SignatureV4({
      credentials: this.credentials,
      region,
      service,
      sha256: Sha256,
      // S3 signs the path as sent; the other services encode it once more.
      uriEscapePath: service !== 's3',
      applyChecksum: false,
    });
    const signingDate = parseAmzDate(presigned ? query['X-Amz-Date'] : String(headers['x-amz-date'] ?? ''));

    if (presigned !== undefined) {
      const signedNames = (query['X-Amz-SignedHeaders'] ?? 'host').split(';');
      const expiresIn = Number(query['X-Amz-Expires'] ?? 3600);
      const unsignedQuery = Object.fromEntries(Object.entries(query).filter(([name]) => !PRESIGNING_PARAMETERS.has(name)));
      const toSign = {
        method,
        protocol: 'http:',
        hostname: this.host,
        path,
        query: unsignedQuery,
        headers: {
          ...Object.fromEntries(signedNames.map((name) => [name, name === 'host' ? this.host : headerText(headers[name])])),
          // The payload hash the URL was presigned with (S3 presigns sign none unless the query names one): it only
          // feeds the signature, as the signer reads it from this header.
          'x-amz-content-sha256': unsignedQuery['X-Amz-Content-Sha256'] ?? 'UNSIGNED-PAYLOAD',
        },
      };
      const payloadHeader = new Set(['x-amz-content-sha256']);
      const signed = await signer.presign(toSign, {
        signingDate,
        expiresIn,
        unhoistableHeaders: payloadHeader,
        unsignableHeaders: payloadHeader,
      });
      return { path: `${path}?${queryString(signed.query as Record<string, string>)}`, headers: {}, dropAuthorization: true };
    }
    const toSign = {
      method,
      protocol: 'http:',
      hostname: this.host,
      path,
      query,
      headers: Object.fromEntries(
        Object.entries(headers)
          .filter(([name]) => name !== 'authorization' && name !== 'x-amz-security-token')
          .map(([name, value]) => [name, headerText(value)]),
      ),
    };
    const signed = await signer.sign(toSign, { signingDate });
    // The URL goes on as received: its canonical form is the one just signed.
    return { path: url, headers: signed.headers as Record<string, string>, dropAuthorization: false };
  }
}

/** The query parameters of a presigned URL's signature (the rest is part of the request it signs). */
const PRESIGNING_PARAMETERS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
]);

/** The path as SigV4 canonicalises it for S3: each segment decoded once and encoded per RFC 3986. */
function canonicalPath(rawPath: string): string {
  return rawPath.split('/').map((segment) => encodeRfc3986(decodeURIComponent(segment))).join('/');
}

function queryString(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([name, value]) => `${encodeRfc3986(name)}=${encodeRfc3986(value)}`)
    .join('&');
}

function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/** `20260102T030405Z` → that instant; now when absent or malformed. */
function parseAmzDate(value: string | undefined): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!match) return new Date();
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
}
