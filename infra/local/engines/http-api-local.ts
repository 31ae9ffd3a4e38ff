import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { log } from '../../../shared/log.ts';
import { type HttpResponse, toHttpApiEvent, toHttpResponse } from './http-api-event.ts';
import { RouteTable } from './http-api-routes.ts';

/** One route of the API and the function integrated with it. */
export interface HttpApiRoute {
  /** `"POST /v1/applications/{id}/submit"`, `"ANY /files/{proxy+}"` or `"$default"`. */
  routeKey: string;
  /**
   * The function, given the payload format 2.0 event. A structured result (with `statusCode`) is the response;
   * any other value (an object, a string) becomes a 200 JSON body, as with API Gateway.
   */
  invoke: (event: APIGatewayProxyEventV2) => Promise<unknown>;
}

/** Options of {@link startHttpApi}. */
export interface HttpApiOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  routes: readonly HttpApiRoute[];
  /** Larger request bodies are refused with 413 (default 10 MiB, API Gateway's payload limit). */
  maxBodyBytes?: number;
  /**
   * Larger events (the request as the function would get it, JSON) are refused with 413 and the function is not
   * invoked (default {@link LAMBDA_REQUEST_LIMIT_BYTES}, Lambda's limit for a synchronous invocation's payload).
   */
  maxEventBytes?: number;
  /**
   * Answers what is not the API's before any route is looked up (the console's static files, which CloudFront serves
   * beside the API in AWS): resolves true when it has answered the request, false to let the API route it.
   */
  serveOther?: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
}

/** Lambda refuses a synchronous invocation whose payload is larger (6 MiB), and API Gateway answers 413 for it. */
export const LAMBDA_REQUEST_LIMIT_BYTES = 6 * 1024 * 1024;

/** A running local HTTP API. */
export interface HttpApi {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  /** Stops accepting connections, closes idle keep-alive sockets, and waits for requests in progress (up to 5 s). */
  stop(): Promise<void>;
}

const NOT_FOUND = { message: 'Not Found' };
const TOO_LARGE = { message: 'Request Entity Too Large' };
/**
 * What API Gateway answers when the event is over Lambda's payload limit: reported for a REST API in front of Lambda
 * (413 `{"message": "Request Too Long"}`); we found no record of an HTTP API's, and take it to be the same.
 */
const EVENT_TOO_LARGE = { message: 'Request Too Long' };
const INTERNAL_ERROR = { message: 'Internal Server Error' };
const STOP_GRACE_MS = 5_000;
/** How long an oversized body is still drained after the 413, so the client can read the answer before we hang up. */
const REFUSED_BODY_DRAIN_MS = 1_000;

/**
 * A local stand-in for an API Gateway HTTP API with Lambda proxy integrations (payload format 2.0): routes requests
 * like API Gateway, builds the event, maps the result back, and answers API Gateway's own errors (404 without a
 * route, 413 for a body over the limit, 500 when the function fails), each response carrying `apigw-requestid`.
 */
export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const routes = new RouteTable(options.routes.map((route) => ({ routeKey: route.routeKey, target: route.invoke })));
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const limits = { maxBodyBytes, maxEventBytes: options.maxEventBytes ?? LAMBDA_REQUEST_LIMIT_BYTES };
  const serveOther = options.serveOther ?? (async () => false);
  const server = createServer((request, response) => {
    serveOther(request, response)
      .then((answered) => (answered ? undefined : handle(request, response, routes, limits)))
      .catch((error: unknown) => {
        log.error('local HTTP API: request failed', { error });
        if (!response.headersSent) send(response, json(500, INTERNAL_ERROR));
        else response.destroy();
      });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
    await closed;
    clearTimeout(force);
  };
  return { url: `http://${urlHost(host)}:${port}`, stop: () => (stopping ??= stop()) };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  routes: RouteTable<HttpApiRoute['invoke']>,
  { maxBodyBytes, maxEventBytes }: { maxBodyBytes: number; maxEventBytes: number },
): Promise<void> {
  const receivedAt = new Date();
  const requestId = randomBytes(11).toString('base64');
  response.setHeader('apigw-requestid', requestId);

  const body = await readBody(request, maxBodyBytes);
  if (!body) {
    response.setHeader('connection', 'close');
    send(response, json(413, TOO_LARGE));
    request.resume();
    setTimeout(() => request.socket.destroy(), REFUSED_BODY_DRAIN_MS).unref();
    return;
  }
  const rawPath = (request.url ?? '/').split('?')[0] ?? '/';
  const route = routes.match(request.method ?? 'GET', rawPath);
  if (!route) {
    send(response, json(404, NOT_FOUND));
    return;
  }

  const event = toHttpApiEvent(request, { ...route, body, requestId, receivedAt });
  if (Buffer.byteLength(JSON.stringify(event)) > maxEventBytes) {
    send(response, json(413, EVENT_TOO_LARGE));
    return;
  }
  let result: HttpResponse;
  try {
    result = toHttpResponse(await route.target(event));
  } catch (error) {
    // API Gateway shows the client nothing of the failure; the details go to the log, as to CloudWatch.
    log.error('local HTTP API: the integration failed', { routeKey: route.routeKey, requestId, error });
    result = json(500, INTERNAL_ERROR);
  }
  send(response, result);
}

/**
 * The whole body, or undefined as soon as it is known to exceed `maxBytes`: from `content-length` before reading
 * anything, or while reading a chunked body, which is then left unread.
 */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  if (Number(request.headers['content-length'] ?? 0) > maxBytes) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData);
      request.off('end', onEnd);
      resolve(undefined);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks));
    request.on('data', onData);
    request.on('end', onEnd);
    request.once('error', reject);
  });
}

function json(statusCode: number, body: unknown): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) };
}

function send(response: ServerResponse, result: HttpResponse): void {
  for (const [name, value] of Object.entries(result.headers)) response.setHeader(name, value);
  response.setHeader('content-length', result.body.length);
  response.writeHead(result.statusCode);
  response.end(result.body);
}

/** The host to put in the API's URL: wildcard addresses are reached through loopback; IPv6 needs brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
