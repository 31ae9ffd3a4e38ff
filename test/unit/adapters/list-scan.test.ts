import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoApplicationRepository } from '../../../shared/adapters/dynamo/dynamo-application-repository.ts';
import { applicationItem, keys } from '../../../shared/adapters/dynamo/keys.ts';
import type { ApplicationStatus } from '../../../shared/domain/application.ts';
import { ValidationError } from '../../../shared/domain/errors.ts';
import type { Application } from '../../../shared/domain/records.ts';
import { draftApplication } from '../use-cases/support/fixtures.ts';
import { type LocalTable, TABLE, withLocalTable } from '../use-cases/support/local-deps.ts';

/**
 * Filtered and oldest-first lists on DynamoDB Local (`list-scan.ts`), with the table as the data stack defines it
 * (indexes projecting keys only): every match exactly once, in order, across the shards and the legacy partition,
 * however small the budget of entries one call may examine.
 */
let table: LocalTable;
withLocalTable((t) => {
  table = t;
});

let sequence = 0;
const DAY0 = Date.UTC(2026, 2, 2);
const STATUSES: ApplicationStatus[] = ['draft', 'submitted', 'under_review', 'approved', 'rejected'];

/** An application of `tenantId` created `minutes` into the test day, in its shard or (`legacy`) the unsharded partition. */
async function put(tenantId: string, minutes: number, fields: Partial<Application> = {}, legacy = false): Promise<Application> {
  const createdAt = new Date(DAY0 + minutes * 60_000).toISOString();
  const app = draftApplication({ id: `app_${String(++sequence).padStart(6, '0')}`, tenantId, createdAt, ...fields });
  const item = applicationItem(app);
  if (legacy) {
    item.gsi1pk = keys.applicationsOfTenant(tenantId);
    if (app.batchId) item.gsi2pk = keys.applicationsOfBatch(app.batchId);
  }
  await table.documents.send(new PutCommand({ TableName: TABLE, Item: item }));
  return app;
}

/** Every page of a list, following its cursors. */
async function pages(read: (cursor?: string) => Promise<{ items: Application[]; nextCursor?: string }>): Promise<Application[][]> {
  const out: Application[][] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    out.push(page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < 200);
  return out;
}

const sortKey = (a: Application) => `${a.createdAt}#${a.id}`;
const oldestFirst = (apps: Application[]) => [...apps].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1)).map((a) => a.id);
const newestFirst = (apps: Application[]) => oldestFirst(apps).reverse();

describe('filtered lists on DynamoDB Local', { timeout: 30_000 }, () => {
  it('list the review queue oldest first, every match once, within a budget of entries per call', async () => {
    // Prepare: 80 applications over five statuses (ties on the minute on purpose), every sixth in the legacy partition
    const repository = new DynamoApplicationRepository(table.documents, TABLE);
    const apps = await Promise.all(
      Array.from({ length: 80 }, (_, n) => put('tnt_queue', Math.floor(n / 2), { status: STATUSES[n % 5] as ApplicationStatus }, n % 6 === 0)),
    );
    await put('tnt_other', 1, { status: 'submitted' });
    const queued = apps.filter((a) => a.status === 'submitted' || a.status === 'under_review');
    const filter = { statuses: ['submitted', 'under_review'] as ApplicationStatus[] };

    // Act
    const listed = await pages((cursor) =>
      repository.list('tnt_queue', { limit: 5, order: 'oldest', filter, scanBudget: 12, ...(cursor ? { cursor } : {}) }),
    );
    const newest = await pages((cursor) => repository.list('tnt_queue', { limit: 50, filter, scanBudget: 1000, ...(cursor ? { cursor } : {}) }));
    const everything = await pages((cursor) => repository.list('tnt_queue', { limit: 30, order: 'oldest', ...(cursor ? { cursor } : {}) }));

    // Assess: the budget shortens pages, never loses or repeats an item
    expect(listed.flat().map((a) => a.id)).toEqual(oldestFirst(queued));
    expect(listed.some((p) => p.length < 5)).toBe(true);
    expect(listed.length).toBeGreaterThanOrEqual(Math.ceil(80 / 12));
    expect(newest.flat().map((a) => a.id)).toEqual(newestFirst(queued));
    expect(newest).toHaveLength(1);
    expect(everything.flat().map((a) => a.id)).toEqual(oldestFirst(apps));
  });

  it('find one filing (whatever its province is written as) and one customer reference among many', async () => {
    // Prepare
    const repository = new DynamoApplicationRepository(table.documents, TABLE);
    await Promise.all(Array.from({ length: 30 }, (_, n) => put('tnt_find', n, { customerRef: `ref-${n}` })));
    const sichuan = await put('tnt_find', 40, { filingNumber: '蜀ICP备12345678号-1', customerRef: 'ref-sc' }, true);
    const withdrawn = await put('tnt_find', 5, { filingNumber: '川ICP备12345678号-1', status: 'withdrawn' });
    await put('tnt_elsewhere', 41, { filingNumber: '川ICP备12345678号-1', customerRef: 'ref-sc' });

    // Act
    const byFiling = await pages((cursor) =>
      repository.list('tnt_find', { limit: 10, filter: { filingNumber: '川ICP备12345678号-1' }, scanBudget: 100, ...(cursor ? { cursor } : {}) }),
    );
    const byRef = await repository.list('tnt_find', { limit: 10, filter: { customerRef: 'ref-sc' }, scanBudget: 100 });
    const both = await repository.list('tnt_find', { limit: 10, filter: { customerRef: 'ref-sc', statuses: ['withdrawn'] }, scanBudget: 100 });

    // Assess
    expect(byFiling.flat().map((a) => a.id)).toEqual([sichuan.id, withdrawn.id]);
    expect(byRef).toEqual({ items: [expect.objectContaining({ id: sichuan.id })] });
    expect(both).toEqual({ items: [] });
  });

  it('bind a cursor to its filters and order: replayed with others (or by another tenant) it is a 400', async () => {
    // Prepare
    const repository = new DynamoApplicationRepository(table.documents, TABLE);
    await Promise.all(Array.from({ length: 6 }, (_, n) => put('tnt_bound', n, { status: 'submitted' })));
    const first = await repository.list('tnt_bound', { limit: 2, order: 'oldest', filter: { statuses: ['submitted'] }, scanBudget: 100 });
    const cursor = first.nextCursor as string;
    const plain = await repository.list('tnt_bound', { limit: 2 });

    // Act
    const replays = [
      () => repository.list('tnt_bound', { limit: 2, cursor, order: 'newest', filter: { statuses: ['submitted'] } }),
      () => repository.list('tnt_bound', { limit: 2, cursor, order: 'oldest', filter: { statuses: ['submitted', 'draft'] } }),
      () => repository.list('tnt_bound', { limit: 2, cursor, order: 'oldest' }),
      () => repository.list('tnt_bound', { limit: 2, cursor }),
      () => repository.list('tnt_intruder', { limit: 2, cursor, order: 'oldest', filter: { statuses: ['submitted'] } }),
      () => repository.list('tnt_bound', { limit: 2, cursor: plain.nextCursor as string, filter: { statuses: ['submitted'] } }),
    ];
    const same = await repository.list('tnt_bound', { limit: 2, cursor, order: 'oldest', filter: { statuses: ['submitted', 'submitted'] } });

    // Assess
    expect(cursor).toEqual(expect.any(String));
    for (const replay of replays) await expect(replay()).rejects.toBeInstanceOf(ValidationError);
    expect(same.items).toHaveLength(2);
  });

  it('list nothing of another tenant\'s batch, filtered or oldest first, and no cursor to count it by', async () => {
    // Prepare
    const repository = new DynamoApplicationRepository(table.documents, TABLE);
    await Promise.all(Array.from({ length: 20 }, (_, n) => put('tnt_owner', n, { batchId: 'bat_scan', status: 'submitted' }, n % 4 === 0)));

    // Act
    const oldest = await repository.list('tnt_thief', { limit: 5, batchId: 'bat_scan', order: 'oldest', scanBudget: 3 });
    const filtered = await repository.list('tnt_thief', { limit: 5, batchId: 'bat_scan', filter: { statuses: ['draft'] }, scanBudget: 3 });
    const own = await pages((cursor) =>
      repository.list('tnt_owner', { limit: 5, batchId: 'bat_scan', order: 'oldest', filter: { statuses: ['submitted'] }, scanBudget: 3, ...(cursor ? { cursor } : {}) }),
    );

    // Assess
    expect(oldest).toEqual({ items: [] });
    expect(filtered).toEqual({ items: [] });
    expect(own.flat()).toHaveLength(20);
  });
});
