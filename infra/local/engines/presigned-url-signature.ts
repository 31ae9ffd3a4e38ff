import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The parts of an HTTP request a signature covers. */
export interface SignedRequest {
  method: string;
  /** The request target as received: path and query, still percent-encoded. */
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * - `not-presigned`: no `X-Amz-Algorithm` query parameter (header-signed or anonymous request).
 * - `unknown-key`: presigned with an access key `secretFor` does not know.
 * - `valid` / `invalid`: the signature does or does not match the request as received.
 */
export type PresignedSignatureCheck = 'not-presigned' | 'unknown-key' | 'valid' | 'invalid';

/**
 * Checks the AWS Signature Version 4 of a presigned (query-string authenticated) S3 request, as S3 does: the
 * signature covers the method, path, query and every header named in `X-Amz-SignedHeaders`, so a request whose
 * `content-type` or `content-length` differs from the signed one does not match. The expiry is not checked here.
 *
 * @param secretFor the secret access key of an access key id, or undefined when the key is unknown
 */
export function checkPresignedSignature(
  request: SignedRequest,
  secretFor: (accessKeyId: string) => string | undefined,
): PresignedSignatureCheck {
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const params = parseQuery(queryStart === -1 ? '' : request.url.slice(queryStart + 1));
  const single = (name: string) => params.find(([key]) => key === name)?.[1];

  if (single('X-Amz-Algorithm') === undefined) return 'not-presigned';
  const [accessKeyId = '', ...scopeParts] = (single('X-Amz-Credential') ?? '').split('/');
  const secret = secretFor(accessKeyId);
  if (secret === undefined) return 'unknown-key';
  const provided = single('X-Amz-Signature');
  const amzDate = single('X-Amz-Date');
  const signedHeaderNames = single('X-Amz-SignedHeaders');
  const [day, region, service] = scopeParts;
  if (!provided || !amzDate || !signedHeaderNames || !day || !region || !service) return 'invalid';

  const path = canonicalPath(rawPath);
  if (path === undefined) return 'invalid';
  const query = params
    .filter(([key]) => key !== 'X-Amz-Signature')
    .map(([key, value]) => [encodeRfc3986(key), encodeRfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? compare(av, bv) : compare(a, b)))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const headerNames = signedHeaderNames.split(';');
  const headers = headerNames.map((name) => `${name}:${headerValue(request.headers[name])}\n`).join('');
  // Presigned S3 URLs do not sign the payload unless the signer put its hash in the query.
  const payloadHash = single('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';
  const canonicalRequest = [request.method, path, query, headers, signedHeaderNames, payloadHash].join('\n');

  const scope = scopeParts.join('/');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${secret}`, day);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  const actual = Buffer.from(provided);
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? 'valid' : 'invalid';
}

function parseQuery(raw: string): [string, string][] {
  if (raw === '') return [];
  return raw.split('&').map((pair) => {
    const equals = pair.indexOf('=');
    const [key, value] = equals === -1 ? [pair, ''] : [pair.slice(0, equals), pair.slice(equals + 1)];
    return [safeDecode(key) ?? key, safeDecode(value) ?? value];
  });
}

/** S3 signs the path segment by segment, each encoded once (no double encoding, unlike other services). */
function canonicalPath(rawPath: string): string | undefined {
  const segments = rawPath.split('/').map(safeDecode);
  if (segments.some((segment) => segment === undefined)) return undefined;
  return segments.map((segment) => encodeRfc3986(segment as string)).join('/');
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** Percent-encoding as SigV4 wants it: everything but unreserved characters (`A-Z a-z 0-9 - _ . ~`). */
function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function headerValue(value: string | string[] | undefined): string {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, value: string): Buffer {
  return createHmac('sha256', key).update(value, 'utf8').digest();
}
