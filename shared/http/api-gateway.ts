import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from '../zod.ts';
import {
  AppError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../domain/errors.ts';
import { log } from '../log.ts';
import { fieldErrorsFromZod } from './zod-errors.ts';

/** An HTTP API (payload format 2.0) request; routes authenticate it themselves (`route.ts`). */
export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** Application bodies are small; a batch of 1,000 inline items is not. Each route passes its own limit. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export function pathParam(event: HttpEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value) throw new ValidationError(`Missing path parameter ${name}.`);
  return value;
}

/**
 * The longest path parameter (an id, a filing number) a route takes. Every id the system makes is far shorter; a
 * longer one names nothing, and as part of a DynamoDB key (at most 2,048 bytes) it would fail the lookup.
 */
export const MAX_PATH_PARAMETER_LENGTH = 200;

/** 404 for a path parameter no record can have (too long), before anything is looked up with it. */
export function assertPathParametersFit(event: Pick<HttpEvent, 'pathParameters'>): void {
  for (const [name, value] of Object.entries(event.pathParameters ?? {})) {
    if (value !== undefined && value.length > MAX_PATH_PARAMETER_LENGTH) {
      throw new NotFoundError(`No record has a ${name} of ${value.length} characters.`, {
        errors: [
          {
            path: `(path).${name}`,
            code: 'too_long',
            message: `Ids are at most ${MAX_PATH_PARAMETER_LENGTH} characters; use the id exactly as the API returned it.`,
          },
        ],
      });
    }
  }
}

/** The longest Idempotency-Key taken (Stripe's limit too); printable ASCII only, as a header value should be. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** The request's `Idempotency-Key`, if it sent one; 400 when it is empty, too long or not printable ASCII. */
export function idempotencyKey(event: HttpEvent): string | undefined {
  const key = header(event, 'idempotency-key');
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x20-\x7e]+$/.test(key)) {
    throw new ValidationError('The Idempotency-Key header is not valid.', {
      errors: [
        {
          path: '(headers).idempotency-key',
          code: key.length > MAX_IDEMPOTENCY_KEY_LENGTH ? 'too_long' : 'invalid_idempotency_key',
          message: `Use 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters, e.g. a UUID.`,
        },
      ],
    });
  }
  return key;
}

export function header(event: HttpEvent, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** Media types a route takes: a test on the Content-Type header, and how to name them in the 415 answer. */
export interface AcceptedMediaTypes {
  pattern: RegExp;
  names: string;
}
export const JSON_MEDIA_TYPES: AcceptedMediaTypes = { pattern: /^application\/(.+\+)?json\b/i, names: 'application/json' };

/** The raw body as text, after the size and media-type checks. Empty when there is none. */
export function rawBody(event: HttpEvent, maxBytes = DEFAULT_MAX_BODY_BYTES, accept: AcceptedMediaTypes = JSON_MEDIA_TYPES): string {
  if (event.body === undefined || event.body === null || event.body === '') return '';
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) {
    throw new PayloadTooLargeError(`The body is ${size} bytes; this endpoint takes at most ${maxBytes}.`, {
      errors: [{ path: '(body)', code: 'too_large', message: `Send at most ${maxBytes} bytes; split large batches.` }],
    });
  }
  const type = header(event, 'content-type');
  if (type && !accept.pattern.test(type)) {
    throw new UnsupportedMediaTypeError(`Content-Type ${type} is not accepted.`, {
      errors: [{ path: '(headers).content-type', code: 'unsupported_media_type', message: `Send the body as ${accept.names}.` }],
    });
  }
  return text;
}

/**
 * The deepest JSON a body may be: ten times any body of the API (an application is four levels deep). What is deeper is
 * refused before anything walks it recursively (a hash of the body, a copy, a schema), which a few thousand levels
 * would take past the stack.
 */
export const MAX_JSON_DEPTH = 32;

/** 400 `too_deep` for JSON nested deeper than {@link MAX_JSON_DEPTH}; walked without recursion. */
export function assertJsonDepth(json: unknown): void {
  const pending: [unknown, number][] = [[json, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, depth] = next;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) {
      throw new ValidationError('The body is nested too deeply.', {
        errors: [{ path: '(body)', code: 'too_deep', message: `Send JSON nested at most ${MAX_JSON_DEPTH} levels deep.` }],
      });
    }
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
}

/** The body of an action that takes no input (`POST …/submit`): none, or `{}`; any member is refused (`unknown_field`). */
export const EmptyBody = z.strictObject({});

/** Parses the JSON body with `schema`; every problem becomes a field error. `{}` stands for an empty body. */
export function parseBody<S extends z.core.$ZodType>(event: HttpEvent, schema: S, maxBytes = DEFAULT_MAX_BODY_BYTES): z.infer<S> {
  const text = rawBody(event, maxBytes);
  let json: unknown = {};
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ValidationError('The body is not valid JSON.', {
        cause: error,
        errors: [{ path: '(body)', code: 'invalid_json', message: `Send a JSON object: ${(error as Error).message}` }],
      });
    }
  }
  assertJsonDepth(json);
  const parsed = z.safeParse(schema, json);
  if (!parsed.success) {
    throw new ValidationError('The body does not match the schema.', { errors: fieldErrorsFromZod(parsed.error) });
  }
  return parsed.data;
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * RFC 9457 problem+json for our own errors; unknown errors are logged and answered without detail. An error's
 * extension members come first, so none can replace a member the RFC defines (`status` is the HTTP status code: a
 * resource's own status goes in a member of its own, `applicationStatus` or `batchStatus`).
 */
export function problem(error: unknown, instance: string): HttpResult {
  if (error instanceof AppError) {
    return {
      statusCode: error.status,
      headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
      body: JSON.stringify({
        ...error.extensions,
        type: `https://icp-cancel.dev/problems/${error.type}`,
        title: error.title,
        status: error.status,
        detail: error.message,
        instance,
        errors: error.errors,
      }),
    };
  }
  log.error('unhandled error', { instance, error });
  return {
    statusCode: 500,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
    body: JSON.stringify({
      type: 'https://icp-cancel.dev/problems/internal',
      title: 'Internal error',
      status: 500,
      detail: 'Something went wrong on our side; the request changed nothing that you need to redo. Retry later.',
      instance,
      errors: [],
    }),
  };
}
