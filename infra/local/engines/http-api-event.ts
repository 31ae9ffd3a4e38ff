import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** What the local API reports as its account and API id in `requestContext`. */
const ACCOUNT_ID = '000000000000';
const API_ID = 'local';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The request parts an event is built from, besides the Node request itself. */
export interface EventInput {
  routeKey: string;
  pathParameters: Record<string, string>;
  body: Buffer;
  requestId: string;
  receivedAt: Date;
}

/**
 * The payload format 2.0 event API Gateway would send for a request: headers lower-cased with repeated ones joined
 * by commas (cookies moved to `cookies`), repeated query parameters joined the same way, path parameters decoded,
 * and the body as UTF-8 text for textual content types or base64 (`isBase64Encoded`) otherwise.
 */
export function toHttpApiEvent(request: IncomingMessage, input: EventInput): APIGatewayProxyEventV2 {
  const target = request.url ?? '/';
  const queryStart = target.indexOf('?');
  const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : target.slice(queryStart + 1);

  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (!values) continue;
    if (name === 'cookie') cookies = values.flatMap((value) => value.split(';').map((c) => c.trim()).filter(Boolean));
    else headers[name] = values.join(',');
  }

  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }

  const host = headers.host ?? '';
  const hasBody = input.body.length > 0;
  const asText = hasBody && isTextual(headers['content-type']);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: API_ID,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? '',
      http: {
        method: request.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: (request.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: input.requestId,
      routeKey: input.routeKey,
      stage: '$default',
      time: formatRequestTime(input.receivedAt),
      timeEpoch: input.receivedAt.getTime(),
    },
    ...(Object.keys(input.pathParameters).length > 0 ? { pathParameters: input.pathParameters } : {}),
    ...(hasBody ? { body: input.body.toString(asText ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: hasBody && !asText,
  };
  return event;
}

/** The HTTP response API Gateway makes of a handler's result. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** A handler result API Gateway could not turn into a response (it answers 500). */
export class InvalidHandlerResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidHandlerResultError';
  }
}

/**
 * Maps a handler's result as API Gateway does with payload format 2.0: an object with `statusCode` is a structured
 * response (headers, `cookies` as `set-cookie`, a base64 body decoded when `isBase64Encoded`); anything else is taken
 * as the JSON body of a 200 response.
 */
export function toHttpResponse(result: unknown): HttpResponse {
  if (!isStructured(result)) {
    const json = JSON.stringify(result ?? null);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(json) };
  }
  const { statusCode, body, isBase64Encoded } = result;
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new InvalidHandlerResultError(`statusCode ${String(statusCode)} is not an HTTP status`);
  }
  if (body !== undefined && typeof body !== 'string') throw new InvalidHandlerResultError('body must be a string');
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  return { statusCode, headers, body: Buffer.from(body ?? '', isBase64Encoded ? 'base64' : 'utf8') };
}

function isStructured(result: unknown): result is APIGatewayProxyStructuredResultV2 & { statusCode: number } {
  return typeof result === 'object' && result !== null && 'statusCode' in result;
}

/**
 * Content types API Gateway hands to the function as text; every other body (binary uploads, and also forms and
 * bodies without a content type) arrives base64-encoded.
 */
function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return type.startsWith('text/') || /^application\/(.+\+)?(json|xml)$/.test(type) || type === 'application/javascript';
}

/** `12/Mar/2020:19:03:58 +0000`, API Gateway's `requestContext.time`. */
function formatRequestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}
