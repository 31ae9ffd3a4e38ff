import { describe, expect, it } from 'vitest';
import { PartitionWrites, type TableLayout } from '../../../../infra/local/engines/partition-writes.ts';

const S = (value: string) => ({ S: value });

function layout(projection: TableLayout['indexes'][number]['projection']): TableLayout {
  return {
    tableName: 'records',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [
      { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection },
      { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection },
    ],
  };
}

/** An application item in a tenant's list (gsi1) and, with a batch, the batch's (gsi2). */
function application(id: string, shard: string, status: string, batch?: string) {
  return {
    pk: S(`APP#${id}`),
    sk: S('APP'),
    gsi1pk: S(`TENANT#t1#APPS#${shard}`),
    gsi1sk: S(`2026-12-01#${id}`),
    ...(batch ? { gsi2pk: S(`BATCH#${batch}#APPS#${shard}`), gsi2sk: S(`2026-12-01#${id}`) } : {}),
    status: S(status),
  };
}

const put = (item: Record<string, unknown>) => ({ TableName: 'records', Item: item });
const counterUpdate = { Update: { TableName: 'records', Key: { pk: S('BATCH#b1'), sk: S('COUNT#03') }, UpdateExpression: 'ADD n_draft :n' } };

describe('PartitionWrites', () => {
  it('counts a new item in its table partition and in the partition of each index it enters', () => {
    // Prepare
    const writes = new PartitionWrites(layout('KEYS_ONLY'), () => 0);

    // Act
    writes.record('TransactWriteItems', {
      TransactItems: [{ Put: put(application('a1', '03', 'draft', 'b1')) }, { Put: put(application('a2', '07', 'draft', 'b1')) }, counterUpdate],
    });

    // Assess
    expect(writes.snapshot()).toEqual({
      table: { 'APP#a1': { writes: 1, peakPerSecond: 1 }, 'APP#a2': { writes: 1, peakPerSecond: 1 }, 'BATCH#b1': { writes: 1, peakPerSecond: 1 } },
      gsi1: { 'TENANT#t1#APPS#03': { writes: 1, peakPerSecond: 1 }, 'TENANT#t1#APPS#07': { writes: 1, peakPerSecond: 1 } },
      gsi2: { 'BATCH#b1#APPS#03': { writes: 1, peakPerSecond: 1 }, 'BATCH#b1#APPS#07': { writes: 1, peakPerSecond: 1 } },
    });
  });

  it('counts a rewrite of an item in an index as an index write when the index projects all, never when keys only', () => {
    // Prepare
    const all = new PartitionWrites(layout('ALL'), () => 0);
    const keysOnly = new PartitionWrites(layout('KEYS_ONLY'), () => 0);

    // Act
    for (const writes of [all, keysOnly]) {
      writes.record('PutItem', put(application('a1', '03', 'draft')));
      writes.record('PutItem', put(application('a1', '03', 'submitted')));
      writes.record('UpdateItem', { TableName: 'records', Key: { pk: S('APP#a1'), sk: S('APP') }, UpdateExpression: 'SET x = :x' });
    }

    // Assess
    expect(all.snapshot().gsi1?.['TENANT#t1#APPS#03']?.writes).toBe(3);
    expect(keysOnly.snapshot().gsi1?.['TENANT#t1#APPS#03']?.writes).toBe(1);
    expect(keysOnly.snapshot().table?.['APP#a1']?.writes).toBe(3);
  });

  it('counts a moved index key in the old partition and the new, and a deleted item in the partition it leaves', () => {
    // Prepare
    const writes = new PartitionWrites(layout('KEYS_ONLY'), () => 0);
    const legacy = { ...application('a1', '03', 'draft'), gsi1pk: S('TENANT#t1#APPS') };

    // Act
    writes.record('PutItem', put(legacy));
    writes.record('PutItem', put(application('a1', '03', 'submitted')));
    writes.record('DeleteItem', { TableName: 'records', Key: { pk: S('APP#a1'), sk: S('APP') } });

    // Assess
    expect(writes.snapshot().gsi1).toEqual({
      'TENANT#t1#APPS': { writes: 2, peakPerSecond: 2 },
      'TENANT#t1#APPS#03': { writes: 2, peakPerSecond: 2 },
    });
  });

  it('leaves out the unprocessed items of a batch write and the writes to other tables', () => {
    // Prepare
    const writes = new PartitionWrites(layout('KEYS_ONLY'), () => 0);
    const a1 = { PutRequest: { Item: application('a1', '03', 'draft') } };
    const a2 = { PutRequest: { Item: application('a2', '07', 'draft') } };

    // Act
    writes.record('BatchWriteItem', { RequestItems: { records: [a1, a2], other: [a1] } }, { UnprocessedItems: { records: [a2] } });
    writes.record('PutItem', { TableName: 'other', Item: application('a3', '01', 'draft') });

    // Assess
    expect(Object.keys(writes.snapshot().table ?? {})).toEqual(['APP#a1']);
    expect(Object.keys(writes.snapshot().gsi1 ?? {})).toEqual(['TENANT#t1#APPS#03']);
  });

  it('keeps the most writes a partition took in one second', () => {
    // Prepare
    let now = 1_000;
    const writes = new PartitionWrites(layout('KEYS_ONLY'), () => now);

    // Act: three writes in the first second, one in the next
    for (const at of [1_000, 1_300, 1_999, 2_000]) {
      now = at;
      writes.record('UpdateItem', { TableName: 'records', Key: { pk: S('BATCH#b1'), sk: S('COUNT#00') } });
    }

    // Assess
    expect(writes.snapshot().table?.['BATCH#b1']).toEqual({ writes: 4, peakPerSecond: 3 });
  });
});
