import { createHash } from 'node:crypto';
import { ValidationError } from '../../domain/errors.ts';
import * as z from '../../zod.ts';

/**
 * A page cursor of a newest-first list (`list-index.ts`): the list it belongs to and the sort key of the last item
 * shown (`<createdAt>#<id>`), base64url JSON followed by a checksum of it. Opaque to clients.
 *
 * One position serves every partition of a sharded list: sort keys are unique and ordered the same in every shard, so
 * "the items before this sort key" is each shard's position at once, and the next page is exact whatever shard (or
 * the legacy partition) an item lives in. The checksum is not a secret: a cursor grants nothing (the list read is the
 * one the request names; the position only narrows it), it only turns an edited or truncated cursor into a 400 instead
 * of a different page.
 */
const CursorBody = z.strictObject({
  v: z.literal(1),
  list: z.string().check(z.minLength(1), z.maxLength(300)),
  before: z.string().check(z.regex(/^[^#\s]{1,64}#[A-Za-z0-9_-]{1,128}$/)),
});

/** Longer than any cursor this module writes: refused before it is decoded. */
const MAX_CURSOR_LENGTH = 1_024;

export function encodeCursor(list: string, before: string): string {
  const body = Buffer.from(JSON.stringify({ v: 1, list, before })).toString('base64url');
  return `${body}.${checksum(body)}`;
}

/**
 * The position (`before`) a cursor stands for. It must be one this module wrote, unchanged, for `list` (the list's
 * partition key without a shard): a cursor from another list or tenant, an edited or a forged one is a 400, decided
 * here before any read.
 */
export function decodeCursor(cursor: string, list: string): string {
  const [body, sum, ...rest] = cursor.length <= MAX_CURSOR_LENGTH ? cursor.split('.') : [];
  if (body && sum && rest.length === 0 && sum === checksum(body)) {
    const parsed = CursorBody.safeParse(parseJson(Buffer.from(body, 'base64url').toString('utf8')));
    if (parsed.success && parsed.data.list === list) return parsed.data.before;
  }
  throw new ValidationError('The cursor is not valid.', {
    errors: [{ path: 'cursor', code: 'invalid_cursor', message: 'Use the nextCursor of the previous page, unchanged, or start without one.' }],
  });
}

function checksum(body: string): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, 16);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
