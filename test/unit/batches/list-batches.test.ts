import { describe, expect, it } from 'vitest';
import { createBatch } from '../../../shared/use-cases/batches/create-batch.ts';
import { listBatches } from '../../../shared/use-cases/batches/read-batch.ts';
import { websiteApplication } from '../use-cases/support/fixtures.ts';
import { agency, withLocalTable } from '../use-cases/support/local-deps.ts';
import { type BatchTestDeps, batchTestDeps, runIngestion } from './support.ts';

describe('GET /v1/batches: the tenant\'s batches, newest first', { timeout: 30_000 }, () => {
  let deps: BatchTestDeps;
  withLocalTable((table) => {
    deps = batchTestDeps(table);
  });

  it('pages through the tenant\'s own batches only, newest first, with their live counts', async () => {
    // Prepare
    const principal = agency();
    const other = agency();
    const created = [];
    for (let i = 0; i < 3; i++) {
      deps.setNow(`2026-11-29T0${i}:00:00.000Z`);
      created.push((await createBatch(deps, principal, { items: [websiteApplication()], submit: 'hold' })).batch);
    }
    await createBatch(deps, other, { items: [websiteApplication()] });
    await runIngestion(deps, created[2] as { id: string; tenantId: string });

    // Act
    const first = await listBatches(deps, principal, { limit: '2' });
    const second = await listBatches(deps, principal, { limit: '2', ...(first.nextCursor ? { cursor: first.nextCursor } : {}) });

    // Assess
    expect([...first.items, ...second.items].map((b) => b.id)).toEqual(created.map((b) => b.id).reverse());
    expect(first.items[0]).toMatchObject({ status: 'ingested', rows: { total: 1, accepted: 1 }, counts: { draft: 1 } });
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(second.items.every((b) => b.status === 'ingesting')).toBe(true);
  });

  it('refuses a limit out of range and a cursor from another tenant\'s list, with the field', async () => {
    // Prepare
    const principal = agency();
    const other = agency();
    await createBatch(deps, other, { items: [websiteApplication()] });
    await createBatch(deps, other, { items: [websiteApplication()] });
    const theirs = await listBatches(deps, other, { limit: '1' });

    // Act
    const badLimit = await listBatches(deps, principal, { limit: '0' }).catch((e: unknown) => e);
    const foreignCursor = await listBatches(deps, principal, { cursor: theirs.nextCursor ?? '' }).catch((e: unknown) => e);

    // Assess
    expect(badLimit).toMatchObject({ name: 'ValidationError', errors: [{ path: 'limit', code: 'out_of_range' }] });
    expect(foreignCursor).toMatchObject({ name: 'ValidationError', errors: [{ path: 'cursor', code: 'invalid_cursor' }] });
  });
});
