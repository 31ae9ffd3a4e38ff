/**
 * The exit codes of every command, so that a script can tell what to do next: 1 will not change by trying again
 * (fix the input, the key or the record's state), 3 might (the API was unreachable, throttled or failing).
 */
export const EXIT = {
  ok: 0,
  /** The API refused the request (4xx), a file was refused or unreadable, a batch failed. */
  refused: 1,
  /** Bad flags or arguments, no API URL or key: nothing was sent. */
  usage: 2,
  /** No answer (refused connection, DNS, timeout), 429 or 5xx, or an answer this client cannot read. */
  unavailable: 3,
} as const;

/** One field error of an RFC 9457 problem, as the API sends them. */
export interface ProblemFieldError {
  path?: string;
  code?: string;
  message?: string;
}

/**
 * Anything that ends the command with a non-zero exit: the message is one line for the user; `details` are printed
 * under it (the API's field errors and hints).
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly details: readonly string[];
  readonly exitCode: number;

  constructor(message: string, options: { cause?: unknown; details?: readonly string[]; exitCode?: number } = {}) {
    super(message, { cause: options.cause });
    this.details = options.details ?? [];
    this.exitCode = options.exitCode ?? EXIT.refused;
  }
}

/** Bad flags or arguments, caught before any request (exit code 2, like commander's own usage errors). */
export class UsageError extends CliError {
  override readonly name = 'UsageError';

  constructor(message: string) {
    super(message, { exitCode: EXIT.usage });
  }
}

/**
 * The API (or a presigned S3 URL) answered with an error status; `problem` is its problem+json body when it sent one.
 * Exit 1 for a refusal, 3 for what may pass (429, 5xx).
 */
export class ApiError extends CliError {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly problem: Record<string, unknown> | undefined;

  constructor(status: number, message: string, problem?: Record<string, unknown>) {
    super(message, { details: problemLines(problem), exitCode: isTransient(status) ? EXIT.unavailable : EXIT.refused });
    this.status = status;
    this.problem = problem;
  }

  /** Worth asking again later: throttled or a server-side failure (a 4xx will not change by waiting). */
  get transient(): boolean {
    return isTransient(this.status);
  }
}

/** The API could not be reached at all (refused, DNS, timeout). */
export class UnreachableError extends CliError {
  override readonly name = 'UnreachableError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, exitCode: EXIT.unavailable });
  }
}

/** A success this client cannot read (no JSON, not an object): a proxy's page, or an API of another version. */
export class UnexpectedAnswerError extends CliError {
  override readonly name = 'UnexpectedAnswerError';

  constructor(message: string) {
    super(message, { exitCode: EXIT.unavailable });
  }
}

function isTransient(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * The lines under a refusal: each field error (`path: message (code)`, the message saying how to fix it), then what
 * the problem's own members add to its detail (the evidence still missing, the decision already made, the codes
 * allowed…). `applicationStatus` and `batchStatus` are left out: the detail names that state already.
 */
export function problemLines(problem: Record<string, unknown> | undefined): string[] {
  if (!problem) return [];
  const lines = Array.isArray(problem.errors) ? problem.errors.map(fieldErrorLine) : [];
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String).join(', ') : undefined);
  if (list(problem.missingEvidence)) {
    const id = typeof problem.instance === 'string' ? /^\/v1\/applications\/([^/]+)\//.exec(problem.instance)?.[1] : undefined;
    lines.push(`missing evidence: ${list(problem.missingEvidence)}; upload each with \`icp-cancel evidence upload ${id ?? '<application-id>'} <file> --kind <kind>\``);
  }
  if (typeof problem.openApplicationId === 'string') lines.push(`the filing's open order: ${problem.openApplicationId}`);
  if (typeof problem.outcome === 'string') lines.push(`already decided: ${problem.outcome}`);
  if (list(problem.rejectionCodes)) lines.push(`reason codes: ${list(problem.rejectionCodes)}`);
  if (Array.isArray(problem.warnings)) {
    for (const w of problem.warnings as ProblemFieldError[]) lines.push(`warning: ${w.message ?? ''}${w.code ? ` (${w.code})` : ''}`);
  }
  return lines;
}

function fieldErrorLine(e: ProblemFieldError): string {
  const where = e.path ? `${e.path}: ` : '';
  const code = e.code ? ` (${e.code})` : '';
  return `${where}${e.message ?? 'invalid'}${code}`;
}
