/** One field error of an RFC 9457 problem, as the API sends them. */
export interface ProblemFieldError {
  path?: string;
  code?: string;
  message?: string;
}

/**
 * Anything that ends the command with a non-zero exit: the message is one line for the user; `details` are printed
 * under it (the API's field errors).
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly details: readonly string[];
  readonly exitCode: number;

  constructor(message: string, options: { cause?: unknown; details?: readonly string[]; exitCode?: number } = {}) {
    super(message, { cause: options.cause });
    this.details = options.details ?? [];
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Bad flags or arguments, caught before any request (exit code 2, like commander's own usage errors). */
export class UsageError extends CliError {
  override readonly name = 'UsageError';

  constructor(message: string) {
    super(message, { exitCode: 2 });
  }
}

/** The API answered with an error status; `problem` is its problem+json body when it sent one. */
export class ApiError extends CliError {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly problem: Record<string, unknown> | undefined;

  constructor(status: number, message: string, problem?: Record<string, unknown>) {
    super(message, { details: fieldErrorLines(problem?.errors) });
    this.status = status;
    this.problem = problem;
  }

  /** Worth asking again later: throttled or a server-side failure (a 4xx will not change by waiting). */
  get transient(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** The API could not be reached at all (refused, DNS, timeout). */
export class UnreachableError extends CliError {
  override readonly name = 'UnreachableError';
}

function fieldErrorLines(errors: unknown): string[] {
  if (!Array.isArray(errors)) return [];
  return errors.map((e: ProblemFieldError) => {
    const where = e.path ? `${e.path}: ` : '';
    const code = e.code ? ` (${e.code})` : '';
    return `${where}${e.message ?? 'invalid'}${code}`;
  });
}
