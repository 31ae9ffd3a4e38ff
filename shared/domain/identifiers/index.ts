import * as z from '../../zod.ts';
import type { ParseResult } from './parse-result.ts';

/**
 * Identifier parsers: each takes what a person pasted and the field path, and returns the canonical form and its parts,
 * or field errors saying what is wrong and how to fix it.
 */

export * from './credit-code.ts';
export * from './domain-name.ts';
export * from './filing-number.ts';
export * from './licence-number.ts';
export * from './normalize-pasted.ts';
export * from './parse-result.ts';
export * from './provinces.ts';
export * from './public-security-number.ts';
export * from './resident-id.ts';

/**
 * A zod schema that parses a string with an identifier parser and outputs the canonical form, for use inside request
 * schemas (`filingNumber: identifierSchema(parseFilingNumber)`). Each failure becomes a custom issue carrying the
 * parser's rule name in `params.code`.
 */
export function identifierSchema(parse: (input: string, path: string) => ParseResult<unknown>) {
  return z.pipe(z.string(), z.transform((input, ctx) => {
    const parsed = parse(input, '');
    if (parsed.ok) return parsed.value;
    for (const error of parsed.errors) ctx.issues.push({ code: 'custom', input, message: error.message, params: { code: error.code } });
    return z.NEVER;
  }));
}
