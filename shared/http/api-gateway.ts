import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from '../zod.ts';
import {
  AppError,
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

/** RFC 9457 problem+json for our own errors; unknown errors are logged and answered without detail. */
export function problem(error: unknown, instance: string): HttpResult {
  if (error instanceof AppError) {
    return {
      statusCode: error.status,
      headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
      body: JSON.stringify({
        type: `https://icp-cancel.dev/problems/${error.type}`,
        title: error.title,
        status: error.status,
        detail: error.message,
        instance,
        errors: error.errors,
        ...error.extensions,
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
