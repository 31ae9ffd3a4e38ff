import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../shared/adapters/dynamo/cursor.ts';

const LIST = 'TENANT#tnt_1#APPS';
const POSITION = '2026-11-29T08:00:00.000Z#app_01jd8v3n0000000000000000';

/** The ValidationError every refused cursor gives, with its field: a 400 problem. */
const invalidCursor = { name: 'ValidationError', status: 400, errors: [{ path: 'cursor', code: 'invalid_cursor' }] };

function refusal(cursor: string, list = LIST): unknown {
  try {
    return decodeCursor(cursor, list);
  } catch (error) {
    return error;
  }
}

describe('page cursors', () => {
  it('give back the position they were made with, for the list they were made for', () => {
    // Act
    const cursor = encodeCursor(LIST, POSITION);

    // Assess
    expect(decodeCursor(cursor, LIST)).toBe(POSITION);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}$/);
    expect(cursor).not.toContain('tnt_1');
  });

  it('are refused for another list: another tenant\'s, a batch\'s, the legacy list of older cursors', () => {
    // Prepare
    const cursor = encodeCursor(LIST, POSITION);

    // Act & Assess
    expect(refusal(cursor, 'TENANT#tnt_2#APPS')).toMatchObject(invalidCursor);
    expect(refusal(cursor, 'BATCH#bat_1#APPS')).toMatchObject(invalidCursor);
    expect(refusal(encodeCursor('TENANT#tnt_1#BATCHES', POSITION))).toMatchObject(invalidCursor);
  });

  it('are refused when any character is changed, dropped or added', () => {
    // Prepare
    const cursor = encodeCursor(LIST, POSITION);
    const flip = (i: number) => `${cursor.slice(0, i)}${cursor[i] === 'A' ? 'B' : 'A'}${cursor.slice(i + 1)}`;

    // Act
    const edited = Array.from({ length: cursor.length }, (_, i) => flip(i)).filter((c) => c !== cursor);
    const outcomes = [...edited, cursor.slice(0, -1), cursor.slice(1), `${cursor}A`, `${cursor}.x`].map((c) => refusal(c));

    // Assess
    expect(outcomes.length).toBeGreaterThan(cursor.length);
    for (const outcome of outcomes) expect(outcome).toMatchObject(invalidCursor);
  });

  it.each([
    ['garbage', 'garbage'],
    ['empty', ''],
    ['a bare LastEvaluatedKey, as cursors were before the lists were sharded', Buffer.from(JSON.stringify({ gsi1pk: LIST, gsi1sk: POSITION, pk: 'APP#x', sk: 'APP' })).toString('base64url')],
    ['a forged body with its own checksum but a position that is no sort key', forged({ v: 1, list: LIST, before: 'x' })],
    ['a forged body with extra fields', forged({ v: 1, list: LIST, before: POSITION, limit: 1000 })],
    ['another version', forged({ v: 2, list: LIST, before: POSITION })],
    ['a very long one', 'A'.repeat(5_000)],
  ])('refuses %s', (_what, cursor) => {
    // Act & Assess
    expect(refusal(cursor)).toMatchObject(invalidCursor);
  });
});

/**
 * A cursor whose body `encodeCursor` would never write, with a checksum made the way cursor.ts makes them (the checksum
 * is no secret): only the body's schema can refuse it.
 */
function forged(body: Record<string, unknown>): string {
  const fake = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${fake}.${createHash('sha256').update(fake).digest('base64url').slice(0, 16)}`;
}
