import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { makeDocumentClient } from '../../../shared/adapters/dynamo/client.ts';
import { encodeCursor } from '../../../shared/adapters/dynamo/cursor.ts';
import { LIST_SHARDS, listPartitions, listShard, shardOf } from '../../../shared/adapters/dynamo/keys.ts';
import { getItems, type ListOf, mergeNewestFirst, readNewestFirst } from '../../../shared/adapters/dynamo/list-index.ts';
import { ulidIds } from '../../../shared/adapters/ulid-ids.ts';

const documents = makeDocumentClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const ddb = mockClient(documents);
const dynamo = mockClient(DynamoDBClient);
// The mocks replace the clients' `send` for every instance: put it back for the test files that share this process.
afterAll(() => {
  ddb.restore();
  dynamo.restore();
});

const LIST = 'TENANT#tnt_1#APPS';
const list: ListOf = { index: 'gsi1', name: LIST, partitions: listPartitions(LIST) };

interface Stored {
  pk: string;
  sk: string;
  gsi1pk: string;
  gsi1sk: string;
  id: string;
}

/** An application-like item of the list, in its shard (or the legacy partition), created at second `n` of a day. */
function stored(n: number, id: string, legacy = false): Stored {
  const createdAt = new Date(Date.UTC(2026, 10, 29, 0, 0, n)).toISOString();
  return { pk: `APP#${id}`, sk: 'APP', gsi1pk: legacy ? LIST : listShard(LIST, id), gsi1sk: `${createdAt}#${id}`, id };
}

/**
 * DynamoDB in memory for these calls: a Query of one index partition, newest first, below `:before` when given, up to
 * `Limit` (with a LastEvaluatedKey when more is left), keys only; BatchGetItem by table key.
 */
function serve(items: readonly Stored[]): void {
  ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string>; Limit: number; ExclusiveStartKey?: Stored }) => {
    const { ':pk': partition, ':before': before } = input.ExpressionAttributeValues;
    const start = input.ExclusiveStartKey?.gsi1sk;
    const matching = items
      .filter((i) => i.gsi1pk === partition && (before === undefined || i.gsi1sk < before) && (start === undefined || i.gsi1sk < start))
      .sort((a, b) => (a.gsi1sk < b.gsi1sk ? 1 : -1));
    const page = matching.slice(0, input.Limit).map(({ pk, sk, gsi1pk, gsi1sk }) => ({ pk, sk, gsi1pk, gsi1sk }));
    return { Items: page, ...(matching.length > input.Limit ? { LastEvaluatedKey: page.at(-1) } : {}) };
  });
  ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => {
    const [[table, { Keys }]] = Object.entries(input.RequestItems) as [[string, { Keys: { pk: string }[] }]];
    return { Responses: { [table]: Keys.flatMap((key) => items.filter((i) => i.pk === key.pk)) } };
  });
}

/** Every page of the list, `limit` at a time, following the cursors. */
async function allPages(limit: number): Promise<{ pages: string[][]; cursors: (string | undefined)[] }> {
  const pages: string[][] = [];
  const cursors: (string | undefined)[] = [];
  let cursor: string | undefined;
  do {
    const page = await readNewestFirst(documents, 'records', list, { limit, ...(cursor ? { cursor } : {}) });
    pages.push(page.items.map((i) => String(i.id)));
    cursors.push(page.nextCursor);
    cursor = page.nextCursor;
  } while (cursor && pages.length < 1_000);
  return { pages, cursors };
}

describe('write-sharded lists', () => {
  beforeEach(() => ddb.reset());

  it('put an id always in the same shard, spreading ULIDs evenly over the 16', () => {
    // Prepare
    const ids = Array.from({ length: 16_000 }, () => ulidIds.next('app'));

    // Act
    const perShard = new Array<number>(LIST_SHARDS).fill(0);
    for (const id of ids) perShard[shardOf(id, LIST_SHARDS)] = (perShard[shardOf(id, LIST_SHARDS)] ?? 0) + 1;

    // Assess: 1,000 expected each; five standard deviations (~31) either way
    expect(ids.every((id) => listShard(LIST, id) === listShard(LIST, id))).toBe(true);
    expect(Math.min(...perShard)).toBeGreaterThan(840);
    expect(Math.max(...perShard)).toBeLessThan(1_160);
    expect(listShard(LIST, 'app_1')).toMatch(/^TENANT#tnt_1#APPS#\d{2}$/);
    expect(listPartitions(LIST)).toEqual([LIST, ...Array.from({ length: 16 }, (_, i) => `${LIST}#${String(i).padStart(2, '0')}`)]);
  });

  it('merge pages of sorted partitions into the newest first, whatever the spread, and say exactly when more is left', () => {
    // Prepare: sort keys spread over partitions at random, each partition read newest first, limit + 1 of it
    const arbitrary = fc.record({
      keys: fc.uniqueArray(fc.integer({ min: 0, max: 100_000 }), { maxLength: 80 }),
      spread: fc.array(fc.nat(16), { minLength: 80, maxLength: 80 }),
      limit: fc.integer({ min: 1, max: 30 }),
    });

    // Act & Assess
    fc.assert(
      fc.property(arbitrary, ({ keys, spread, limit }) => {
        const items = keys.map((k, i) => ({ gsi1sk: String(k).padStart(6, '0'), partition: spread[i] ?? 0 }));
        const partitions = Array.from({ length: 17 }, (_, p) =>
          items
            .filter((i) => i.partition === p)
            .sort((a, b) => (a.gsi1sk < b.gsi1sk ? 1 : -1))
            .slice(0, limit + 1),
        );
        const page = mergeNewestFirst(partitions, 'gsi1sk', limit);
        const expected = items.map((i) => i.gsi1sk).sort().reverse();
        expect(page.items.map((i) => i.gsi1sk)).toEqual(expected.slice(0, limit));
        expect(page.more).toBe(expected.length > limit);
      }),
    );
  });

  it('count an item seen in two partitions once (it is moving from the legacy partition to its shard)', () => {
    // Prepare
    const item = { gsi1sk: '2026-11-29T00:00:01.000Z#app_1', pk: 'APP#app_1' };

    // Act
    const page = mergeNewestFirst([[item], [], [{ ...item }]], 'gsi1sk', 5);

    // Assess
    expect(page).toEqual({ items: [item], more: false });
  });

  it.each([1, 7, 50])('page through 16 shards and the legacy partition newest first, exactly, %i at a time', async (limit) => {
    // Prepare: 150 applications, a few of them written before the lists were sharded; creation times tie in pairs
    const ids = Array.from({ length: 150 }, () => ulidIds.next('app'));
    const items = ids.map((id, n) => stored(Math.floor(n / 2), id, n % 11 === 0));
    serve(items);
    const newestFirst = [...items].sort((a, b) => (a.gsi1sk < b.gsi1sk ? 1 : -1)).map((i) => i.id);

    // Act
    const { pages, cursors } = await allPages(limit);

    // Assess
    expect(new Set(items.map((i) => i.gsi1pk)).size).toBeGreaterThan(12);
    expect(pages.flat()).toEqual(newestFirst);
    expect(pages.every((p) => p.length === limit || p === pages.at(-1))).toBe(true);
    expect(pages.at(-1)?.length).toBeGreaterThan(0);
    expect(cursors.at(-1)).toBeUndefined();
    expect(cursors.slice(0, -1).every((c) => typeof c === 'string')).toBe(true);
  });

  it('ask each partition for one more than the page and every partition below the cursor\'s position', async () => {
    // Prepare
    serve([stored(1, 'app_a'), stored(2, 'app_b'), stored(3, 'app_c')]);
    const position = `${new Date(Date.UTC(2026, 10, 29, 0, 0, 3)).toISOString()}#app_c`;

    // Act
    const page = await readNewestFirst(documents, 'records', list, { limit: 2, cursor: encodeCursor(LIST, position) });

    // Assess
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.map((q) => q.ExpressionAttributeValues?.[':pk']).sort()).toEqual([...listPartitions(LIST)].sort());
    for (const q of queries) {
      expect(q).toMatchObject({ IndexName: 'gsi1', ScanIndexForward: false, Limit: 3, KeyConditionExpression: '#pk = :pk AND #sk < :before' });
      expect(q.ExpressionAttributeValues?.[':before']).toBe(position);
    }
    expect(page.items.map((i) => i.id)).toEqual(['app_b', 'app_a']);
    expect(page.nextCursor).toBeUndefined();
  });

  it('refuse a cursor of another list, or edited, with a 400 before reading anything', async () => {
    // Prepare
    serve([stored(1, 'app_a')]);
    const theirs = encodeCursor('TENANT#tnt_2#APPS', `${new Date(0).toISOString()}#app_a`);
    const edited = `${encodeCursor(LIST, `${new Date(0).toISOString()}#app_a`).slice(0, -1)}x`;

    // Act
    const outcomes = await Promise.all([theirs, edited, 'garbage'].map((cursor) => readNewestFirst(documents, 'records', list, { limit: 5, cursor }).catch((e: unknown) => e)));

    // Assess
    for (const outcome of outcomes) expect(outcome).toMatchObject({ name: 'ValidationError', status: 400, errors: [{ path: 'cursor' }] });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('read items by key 100 at a time, asking again for what DynamoDB left unprocessed, in the keys\' order', async () => {
    // Prepare
    const keys = Array.from({ length: 130 }, (_, n) => ({ pk: `APP#app_${n}`, sk: 'APP' }));
    let first = true;
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { pk: string; sk: string }[] }> }) => {
      const asked = input.RequestItems.records?.Keys ?? [];
      // The first answer leaves three keys unprocessed; the item of key 5 does not exist (expired, say).
      const [answered, left] = first ? [asked.slice(3), asked.slice(0, 3)] : [asked, []];
      first = false;
      return {
        Responses: { records: answered.filter((k) => k.pk !== 'APP#app_5').map((k) => ({ ...k, id: k.pk.slice(4) })) },
        ...(left.length > 0 ? { UnprocessedKeys: { records: { Keys: left } } } : {}),
      };
    });

    // Act
    const items = await getItems(documents, 'records', keys, { consistent: false });

    // Assess
    expect(items.map((i) => i.id)).toEqual(keys.filter((k) => k.pk !== 'APP#app_5').map((k) => k.pk.slice(4)));
    const calls = ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.records?.Keys?.length);
    expect(calls).toEqual([100, 3, 30]);
  });
});
