import type * as z from '../zod.ts';
import type { FieldError } from '../domain/errors.ts';

/** Turns zod issues into field errors: the path, the rule broken and a message that says how to fix it. */
export function fieldErrorsFromZod(error: z.core.$ZodError, prefix: (string | number)[] = []): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const base = [...prefix, ...issue.path].map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...base, key].join('.'),
        code: 'unknown_field',
        message: `Unknown field "${key}": remove it or check its spelling.`,
      }));
    }
    return [{ path: base.join('.') || '(body)', code: issue.code, message: issue.message }];
  });
}
