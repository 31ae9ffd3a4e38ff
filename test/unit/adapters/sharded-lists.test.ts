import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoApplicationRepository } from '../../../shared/adapters/dynamo/dynamo-application-repository.ts';
import { DynamoWebhookRepository } from '../../../shared/adapters/dynamo/dynamo-webhook-repository.ts';
import { applicationItem, DAY_SECONDS, keys, listShard } from '../../../shared/adapters/dynamo/keys.ts';
import type { Application, Delivery } from '../../../shared/domain/records.ts';
import { eventFor } from '../../../shared/domain/status-change.ts';
import type { Clock } from '../../../shared/ports/services.ts';
import { draftApplication } from '../use-cases/support/fixtures.ts';
import { type LocalTable, TABLE, withLocalTable } from '../use-cases/support/local-deps.ts';

/**
 * The sharded lists on DynamoDB Local, with the table as the data stack defines it (indexes projecting keys only):
 * pages newest first across every shard and the legacy partition, exact from the first page to the last.
 */
let table: LocalTable;
withLocalTable((t) => {
  table = t;
});

let sequence = 0;
const DAY0 = Date.UTC(2026, 2, 2);

/** A draft of `tenantId` created `minutes` after the start of the test day (ties on purpose: minutes repeat). */
function draft(tenantId: string, minutes: number, batchId?: string): Application {
  const createdAt = new Date(DAY0 + minutes * 60_000).toISOString();
  return draftApplication({ id: `app_${String(++sequence).padStart(6, '0')}`, tenantId, createdAt, ...(batchId ? { batchId } : {}) });
}

async function create(repository: DynamoApplicationRepository, app: Application): Promise<void> {
  await repository.create({ app, outbox: eventFor(app, 'application.created', `evt_${app.id}`, app.createdAt) });
}

/** Writes an application as the code did before the lists were sharded: in the legacy partitions. */
async function createLegacy(app: Application): Promise<void> {
  const item: Record<string, unknown> = { ...applicationItem(app), gsi1pk: keys.applicationsOfTenant(app.tenantId) };
  if (app.batchId) item.gsi2pk = keys.applicationsOfBatch(app.batchId);
  await table.documents.send(new PutCommand({ TableName: TABLE, Item: item }));
}

/** Every page of a list, following its cursors. */
async function pages<T>(read: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>): Promise<T[][]> {
  const out: T[][] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    out.push(page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < 100);
  return out;
}

const newestFirst = (apps: Pick<Application, 'createdAt' | 'id'>[]) =>
  [...apps].sort((a, b) => (`${a.createdAt}#${a.id}` < `${b.createdAt}#${b.id}` ? 1 : -1)).map((a) => a.id);

// Dozens of transactions each on a JVM that may still be warming up.
describe('sharded lists on DynamoDB Local', { timeout: 30_000 }, () => {
  it('list a tenant\'s applications newest first, exactly, across the shards and the legacy partition', async () => {
    // Prepare: 60 applications, every seventh written as before the lists were sharded
    const repository = new DynamoApplicationRepository(table.documents, TABLE);
    const apps = Array.from({ length: 60 }, (_, n) => draft('tnt_shards', Math.floor(n / 3)));
    await Promise.all(apps.map((app, n) => (n % 7 === 0 ? createLegacy(app) : create(repository, app))));

    // Act
    const listed = await pages((cursor) => repository.list('tnt_shards', { limit: 7, ...(cursor ? { cursor } : {}) }));

    // Assess
    expect(new Set(apps.map((a) => listShard(keys.applicationsOfTenant(a.tenantId), a.id))).size).toBeGreaterThan(10);
    expect(listed.flat().map((a) => a.id)).toEqual(newestFirst(apps));
    expect(listed.map((p) => p.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 4]);
  });

  it('move a legacy application to its shard when it is next written, listing it once all along', async () => {
    // Prepare
    const repository = new DynamoApplicationRepository(table.documents, TABLE);
    const legacy = draft('tnt_moving', 1);
    const other = draft('tnt_moving', 2);
    await createLegacy(legacy);
    await create(repository, other);
    const first = await repository.list('tnt_moving', { limit: 1 });

    // Act
    await repository.update(legacy, { customerRef: 'moved' });
    const second = await repository.list('tnt_moving', { limit: 1, ...(first.nextCursor ? { cursor: first.nextCursor } : {}) });
    const stored = await table.documents.send(new GetCommand({ TableName: TABLE, Key: keys.application(legacy.id) }));

    // Assess
    expect(stored.Item?.gsi1pk).toBe(listShard(keys.applicationsOfTenant('tnt_moving'), legacy.id));
    expect([...first.items, ...second.items].map((a) => a.id)).toEqual([other.id, legacy.id]);
    expect(second.items[0]?.customerRef).toBe('moved');
    expect(second.nextCursor).toBeUndefined();
  });

  it('list one batch\'s applications newest first, exactly, and nothing of another tenant\'s batch', async () => {
    // Prepare
    const repository = new DynamoApplicationRepository(table.documents, TABLE);
    const inBatch = Array.from({ length: 45 }, (_, n) => draft('tnt_batch', n % 9, 'bat_shards'));
    const elsewhere = [draft('tnt_batch', 3), draft('tnt_batch', 4, 'bat_other')];
    await Promise.all([...inBatch, ...elsewhere].map((app, n) => (n % 10 === 0 ? createLegacy(app) : create(repository, app))));

    // Act
    const listed = await pages((cursor) => repository.list('tnt_batch', { limit: 10, batchId: 'bat_shards', ...(cursor ? { cursor } : {}) }));
    const foreign = await repository.list('tnt_intruder', { limit: 10, batchId: 'bat_shards' });

    // Assess
    expect(listed.flat().map((a) => a.id)).toEqual(newestFirst(inBatch));
    expect(listed.map((p) => p.length)).toEqual([10, 10, 10, 10, 5]);
    expect(foreign).toEqual({ items: [] });
  });

  it('list an endpoint\'s deliveries newest first across shards, and hide each one, with its log, once its retention has passed', async () => {
    // Prepare
    let now = new Date(DAY0);
    const clock: Clock = { now: () => now, wallNow: () => now };
    const repository = new DynamoWebhookRepository(table.documents, TABLE, { retentionDays: 7, clock });
    const deliveries: Delivery[] = Array.from({ length: 30 }, (_, n) => {
      const at = new Date(DAY0 + Math.floor(n / 2) * 3600_000).toISOString();
      return { deliveryId: `dlv_${String(++sequence).padStart(6, '0')}`, tenantId: 'tnt_hooks', eventId: `evt_${n}`, endpointId: 'wh_shards', status: 'delivered', attempts: 1, redeliveries: 0, createdAt: at, updatedAt: at };
    });
    await Promise.all(deliveries.map((delivery) => repository.createDelivery(delivery)));
    const oldest = deliveries[0] as Delivery;
    await repository.recordAttempt(oldest, { attempt: 1, at: oldest.createdAt, outcome: 'delivered', status: 204, durationMs: 3 }, 'delivered');
    const byDeliveries = (cursor?: string) => repository.listDeliveries('wh_shards', { limit: 8, ...(cursor ? { cursor } : {}) });

    // Act
    const listed = await pages(byDeliveries);
    now = new Date(DAY0 + 7 * DAY_SECONDS * 1000 + 1000);
    const afterRetention = await pages(byDeliveries);
    const stored = await table.documents.send(new GetCommand({ TableName: TABLE, Key: keys.delivery(oldest.deliveryId) }));

    // Assess
    expect(listed.flat().map((d) => d.deliveryId)).toEqual(newestFirst(deliveries.map((d) => ({ id: d.deliveryId, createdAt: d.createdAt }))));
    expect(stored.Item?.expiresAt).toBe(DAY0 / 1000 + 7 * DAY_SECONDS);
    expect(afterRetention.flat().map((d) => d.deliveryId)).not.toContain(oldest.deliveryId);
    expect(afterRetention.flat()).toHaveLength(28);
    expect(await repository.getDelivery(oldest.deliveryId)).toBeUndefined();
    expect(await repository.listAttempts(oldest.deliveryId)).toEqual([]);
    expect(await repository.getDelivery((deliveries[2] as Delivery).deliveryId)).toMatchObject({ status: 'delivered' });
  });

  it('keep events as long as the retention it is given', async () => {
    // Prepare
    const repository = new DynamoApplicationRepository(table.documents, TABLE, 10);
    const app = draft('tnt_retention', 0);

    // Act
    await create(repository, app);
    const event = await table.documents.send(new GetCommand({ TableName: TABLE, Key: keys.event(`evt_${app.id}`) }));

    // Assess
    expect(event.Item?.expiresAt).toBe(DAY0 / 1000 + 10 * DAY_SECONDS);
  });
});
