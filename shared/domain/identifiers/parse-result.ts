import type { FieldError } from '../errors.ts';

/**
 * What every identifier parser returns: the canonical form and its parts, or field errors that say what is wrong and
 * how to fix it. Parsers never throw on user input.
 */
export type ParseResult<Parts> =
  | { ok: true; value: string; parts: Parts }
  | { ok: false; errors: FieldError[] };

export type ParseFailure = Extract<ParseResult<never>, { ok: false }>;

export function fail(path: string, code: string, message: string): ParseFailure {
  return { ok: false, errors: [{ path, code, message }] };
}

/** Options shared by parsers whose rules depend on today's date (years and birth dates may not lie in the future). */
export interface DateOptions {
  /** Today in China as `YYYY-MM-DD`; defaults to the real date. Tests pin it. */
  today?: string;
}
