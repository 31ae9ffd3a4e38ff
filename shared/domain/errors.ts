/**
 * The one error family of icp-cancel.
 *
 * Every error the system raises on purpose is an `AppError`: it has a stable `name` (used as the Step Functions error
 * name that Retry/Catch match on), an HTTP `status`, a problem `type` slug, and field-level `errors` for the client.
 * One place (`problem()` in `shared/http/api-gateway.ts`) maps them to RFC 9457 problem+json; anything else is logged
 * and answered as 500 without echoing its message.
 *
 * Each class writes its `name` out as a string literal, never takes it from the class (`new.target.name`): the
 * bundles are minified, which renames classes, and Lambda reports a thrown error's `name` as the error type that
 * Step Functions' Retry and Catch match.
 */

/**
 * The error names the workflows' Retry and Catch match (infra/constructs), shared by the error classes that carry them
 * and the constructs that match them, so the two cannot drift apart.
 */
export const WORKFLOW_ERROR_NAMES = {
  transient: 'TransientError',
  deliveryFailed: 'DeliveryFailedError',
  manifestRejected: 'ManifestRejectedError',
  batchMissing: 'BatchMissingError',
} as const;

/** One field-level problem, as returned in problem+json `errors`. */
export interface FieldError {
  /** JSON pointer-ish dotted path of the offending field, e.g. `subject.creditCode` or `items.3.domains.0`. */
  path: string;
  /** Stable machine-readable rule name, e.g. `invalid_check_character`. */
  code: string;
  /** What is wrong and how to fix it, for a human. */
  message: string;
}

export interface AppErrorOptions {
  errors?: FieldError[];
  cause?: unknown;
  /** Extra members for the problem document (e.g. `openApplicationId`). Never put secrets here. */
  extensions?: Record<string, unknown>;
}

export abstract class AppError extends Error {
  /** The error type Lambda reports and Step Functions matches: a string literal in each class (see above). */
  abstract override readonly name: string;
  abstract readonly status: number;
  /** Short slug, becomes the problem `type` URI suffix. */
  abstract readonly type: string;
  /** Short, human-readable summary of the problem type (problem `title`). */
  abstract readonly title: string;
  readonly errors: FieldError[];
  readonly extensions: Record<string, unknown>;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.errors = options.errors ?? [];
    this.extensions = options.extensions ?? {};
  }
}

/** The request is malformed or breaks a validation rule. Nothing was written. */
export class ValidationError extends AppError {
  override readonly name = 'ValidationError';
  readonly status = 400;
  readonly type = 'validation-failed';
  readonly title = 'The request is not valid';
}

/** The request is well-formed but cannot be processed in the current state (e.g. evidence missing). */
export class UnprocessableError extends AppError {
  override readonly name = 'UnprocessableError';
  readonly status = 422;
  readonly type = 'unprocessable';
  readonly title = 'The request cannot be processed';
}

export class UnauthorizedError extends AppError {
  override readonly name = 'UnauthorizedError';
  readonly status = 401;
  readonly type = 'unauthorized';
  readonly title = 'Missing or unknown API key';
}

export class ForbiddenError extends AppError {
  override readonly name = 'ForbiddenError';
  readonly status = 403;
  readonly type = 'forbidden';
  readonly title = 'The API key lacks the scope for this operation';
}

/** Not found, or owned by another tenant: both look the same from outside. */
export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  readonly status = 404;
  readonly type = 'not-found';
  readonly title = 'Not found';
}

/** The operation conflicts with the current state of the resource (wrong status, open order, idempotency key reuse). */
export class ConflictError extends AppError {
  override readonly name = 'ConflictError';
  readonly status = 409;
  readonly type = 'conflict';
  readonly title = 'Conflict with the current state';
}

export class PayloadTooLargeError extends AppError {
  override readonly name = 'PayloadTooLargeError';
  readonly status = 413;
  readonly type = 'payload-too-large';
  readonly title = 'The request body is too large';
}

export class UnsupportedMediaTypeError extends AppError {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly status = 415;
  readonly type = 'unsupported-media-type';
  readonly title = 'The request body must be application/json';
}

/**
 * A technical failure that is worth retrying (throttling, a timeout of a dependency, a lost race).
 * Workflow Retry blocks match on this name.
 */
export class TransientError extends AppError {
  override readonly name = WORKFLOW_ERROR_NAMES.transient;
  readonly status = 503;
  readonly type = 'temporarily-unavailable';
  readonly title = 'Temporarily unavailable, retry later';
}
