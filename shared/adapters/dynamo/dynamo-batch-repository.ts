import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type ApplicationStatus } from '../../domain/application.ts';
import { Batch, type BatchCounts, SharedEvidence } from '../../domain/batch.ts';
import { ConflictError, TransientError } from '../../domain/errors.ts';
import type { OutboxEvent } from '../../domain/records.ts';
import { EVENT_RETENTION } from '../../domain/retention.ts';
import { mapConcurrently, sleep } from '../../concurrency.ts';
import type { Page } from '../../ports/application-repository.ts';
import type { BatchRepository, PlannedRow, RowWrite } from '../../ports/batch-repository.ts';
import { BATCH_COUNTER_SHARDS, counterUpdate, sumCounters } from './batch-counters.ts';
import { cancellationReasons, isConditionFailure, isRetryableDynamoError } from './client.ts';
import { batchStartRequestItem } from './dynamo-start-queue.ts';
import { readTakenFiling } from './filing-guard.ts';
import { applicationItem, expiresAfterDays, keys, outboxItem, stripKeys } from './keys.ts';
import { readNewestFirst } from './list-index.ts';

const IDEMPOTENCY_TTL_DAYS = 7;
/** TransactWriteItems takes at most 100 items; two are kept for the counter update and the start request. */
const MAX_TRANSACTION_ITEMS = 100;
const CONFLICT_RETRIES = 6;

/** Which item of a row a transaction item is, to read a cancelled transaction's reasons back. */
type Role = 'app' | 'guard' | 'other';

/**
 * `BatchRepository` on the records table (layout in `keys.ts`).
 *
 * Rows are written many per `TransactWriteItems` (up to 100 items: about 24 rows), each row's items together, so a row
 * is never half-written and a chunk needs a few dozen round trips instead of one per row. When a transaction is
 * cancelled, its reasons name the items whose condition failed: those rows (application already there: an earlier
 * run wrote it; filing guard taken: an open order) are taken out and the rest is sent again.
 */
export class DynamoBatchRepository implements BatchRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: {
      writeConcurrency: number;
      /** How long events are kept (`EVENT_RETENTION_DAYS`). */
      retentionDays?: number;
    } = { writeConcurrency: 4 },
  ) {}

  async create(input: Parameters<BatchRepository['create']>[0]): Promise<void> {
    const { batch, idempotency } = input;
    const items: Record<string, unknown>[] = [
      { Put: { TableName: this.tableName, Item: this.batchItem(batch), ConditionExpression: 'attribute_not_exists(pk)' } },
    ];
    if (idempotency) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.batchIdempotency(batch.tenantId, idempotency.key),
            entity: 'batch_idempotency',
            tenantId: batch.tenantId,
            key: idempotency.key,
            requestHash: idempotency.requestHash,
            batchId: batch.id,
            expiresAt: expiresAfterDays(new Date(batch.createdAt), IDEMPOTENCY_TTL_DAYS),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (cancellationReasons(error)[1] === 'ConditionalCheckFailed') {
        throw new ConflictError('This Idempotency-Key was used by a concurrent request.', { cause: error });
      }
      throw translate(error);
    }
  }

  async findIdempotency(tenantId: string, key: string): Promise<{ batchId: string; requestHash: string } | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.batchIdempotency(tenantId, key), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return { batchId: String(out.Item.batchId), requestHash: String(out.Item.requestHash) };
  }

  async get(batchId: string): Promise<Batch | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.batch(batchId), ConsistentRead: true }));
    return out.Item ? Batch.parse(stripKeys(out.Item)) : undefined;
  }

  async list(tenantId: string, options: { limit: number; cursor?: string }): Promise<Page<Batch>> {
    const name = keys.batchesOfTenant(tenantId);
    // One partition: see the layout in keys.ts for why a tenant's batches are not sharded.
    const page = await readNewestFirst(this.client, this.tableName, { index: 'gsi1', name, partitions: [name] }, options);
    const items = page.items.map((i) => Batch.parse(stripKeys(i))).filter((b) => b.tenantId === tenantId);
    return { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  async update(batch: Batch, set: Partial<Batch>): Promise<Batch> {
    const next: Batch = { ...batch, ...set, version: batch.version + 1 };
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, ...this.guardedPut(next, batch.version) }));
    } catch (error) {
      throw translate(error, `Batch ${batch.id} changed meanwhile; read it again.`);
    }
    return next;
  }

  async updateWithEvent(batch: Batch, set: Partial<Batch>, outbox: OutboxEvent): Promise<boolean> {
    const next: Batch = { ...batch, ...set, version: batch.version + 1 };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName: this.tableName, ...this.guardedPut(next, batch.version) } }, this.outboxPut(outbox)],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error) && !isRetryableDynamoError(error)) return false;
      throw translate(error);
    }
  }

  async counts(batchId: string): Promise<BatchCounts> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :count)',
        ExpressionAttributeValues: { ':pk': keys.batch(batchId).pk, ':count': 'COUNT#' },
        ConsistentRead: true,
      }),
    );
    return sumCounters(out.Items ?? []);
  }

  async writeRows(batchId: string, rows: PlannedRow[]): Promise<RowWrite[]> {
    const results = new Map<number, RowWrite>();
    const groups = packRows(rows);
    await mapConcurrently(groups, this.options.writeConcurrency, (group, index) =>
      this.writeGroup(batchId, group, index % BATCH_COUNTER_SHARDS, results),
    );
    return rows.map((r) => results.get(r.row) as RowWrite);
  }

  async hasRegistryRecords(tenantId: string): Promise<boolean> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :registry)',
        ExpressionAttributeValues: { ':pk': keys.tenant(tenantId).pk, ':registry': keys.registryPrefix('') },
        ProjectionExpression: 'pk',
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).length > 0;
  }

  async putSharedEvidence(evidence: SharedEvidence): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.batchEvidence(evidence.tenantId, evidence.evidenceId), entity: 'batch_evidence', ...evidence },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getSharedEvidence(tenantId: string, evidenceId: string): Promise<SharedEvidence | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.batchEvidence(tenantId, evidenceId), ConsistentRead: true }),
    );
    return out.Item ? SharedEvidence.parse(stripKeys(out.Item)) : undefined;
  }

  async completeSharedEvidenceCheck(evidence: SharedEvidence): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.batchEvidence(evidence.tenantId, evidence.evidenceId), entity: 'batch_evidence', ...evidence },
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending_upload' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw translate(error);
    }
  }

  /** Writes one group of rows in one transaction, taking out the rows whose conditions fail until the rest goes in. */
  private async writeGroup(batchId: string, group: PlannedRow[], shard: number, results: Map<number, RowWrite>): Promise<void> {
    let pending = group;
    for (let attempt = 0; pending.length > 0; ) {
      const { items, owners } = this.transaction(batchId, pending, shard);
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        for (const row of pending) results.set(row.row, { row: row.row, result: 'written' });
        return;
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons.includes('ConditionalCheckFailed')) {
          const failed = new Map<number, Role>();
          reasons.forEach((code, i) => {
            const owner = owners[i];
            if (code !== 'ConditionalCheckFailed' || !owner) return;
            // The application's own condition decides: an existing application holds its own guard.
            if (owner.role === 'app' || !failed.has(owner.row.row)) failed.set(owner.row.row, owner.role);
          });
          for (const row of pending.filter((r) => failed.has(r.row))) {
            results.set(
              row.row,
              failed.get(row.row) === 'app'
                ? { row: row.row, result: 'exists' }
                : await this.takenFiling(row),
            );
          }
          pending = pending.filter((r) => !failed.has(r.row));
          continue;
        }
        if (isRetryableDynamoError(error) && attempt < CONFLICT_RETRIES) {
          // Another transaction on a counter shard or guard: back off with full jitter and send it again.
          await sleep(Math.random() * 25 * 2 ** attempt);
          attempt++;
          continue;
        }
        throw translate(error);
      }
    }
  }

  /** Why a row's filing guard was taken (`readTakenFiling`), as the row's result. */
  private async takenFiling(row: PlannedRow): Promise<RowWrite> {
    const taken = await readTakenFiling(this.client, this.tableName, row.app.filingNumber, row.app.tenantId);
    if (taken.state === 'cancelled') return { row: row.row, result: 'filing_cancelled', ...(taken.cancelledAt ? { cancelledAt: taken.cancelledAt } : {}) };
    return { row: row.row, result: 'filing_taken', ...(taken.holderId ? { holderId: taken.holderId } : {}) };
  }

  private transaction(batchId: string, rows: PlannedRow[], shard: number) {
    const items: Record<string, unknown>[] = [];
    const owners: ({ row: PlannedRow; role: Role } | undefined)[] = [];
    const add = (row: PlannedRow, role: Role, item: Record<string, unknown>) => {
      items.push(item);
      owners.push({ row, role });
    };
    const delta: Partial<Record<ApplicationStatus, number>> = {};
    for (const row of rows) {
      const { app } = row;
      add(row, 'app', {
        Put: { TableName: this.tableName, Item: applicationItem(app), ConditionExpression: 'attribute_not_exists(pk)' },
      });
      for (const outbox of row.outbox) add(row, 'other', this.outboxPut(outbox));
      add(row, 'guard', {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.filingGuard(app.filingNumber), entity: 'filing_guard', applicationId: app.id, tenantId: app.tenantId },
          // The guard this application already holds (an earlier run wrote both) does not count as taken.
          ConditionExpression: 'attribute_not_exists(pk) OR applicationId = :id',
          ExpressionAttributeValues: { ':id': app.id },
        },
      });
      delta[app.status] = (delta[app.status] ?? 0) + 1;
    }
    // The reviews the submitted rows ask for, one request for them all, durable with the rows (drained at the system's
    // pace, `PacedStarts`). Its own condition is none: it fails no row.
    const starts = rows.flatMap((row) => (row.start ? [row.start] : []));
    const [first] = rows;
    if (starts.length > 0 && first) {
      const item = batchStartRequestItem(starts, { requestedAt: first.app.updatedAt, batchId, now: Date.now() });
      items.push({ Put: { TableName: this.tableName, Item: item } });
      owners.push(undefined);
    }
    const counter = counterUpdate(this.tableName, batchId, shard, delta);
    if (counter) {
      items.push(counter);
      owners.push(undefined);
    }
    return { items, owners };
  }

  /** The batch record with its place in the tenant's list (gsi1, newest first by creation). */
  private batchItem(batch: Batch): Record<string, unknown> {
    return { ...keys.batch(batch.id), entity: 'batch', gsi1pk: keys.batchesOfTenant(batch.tenantId), gsi1sk: `${batch.createdAt}#${batch.id}`, ...batch };
  }

  private guardedPut(next: Batch, version: number) {
    return {
      Item: this.batchItem(next),
      ConditionExpression: '#version = :version',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':version': version },
    };
  }

  private outboxPut(outbox: OutboxEvent): Record<string, unknown> {
    const item = outboxItem(outbox, this.options.retentionDays ?? EVENT_RETENTION.defaultDays);
    return { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
  }
}

/**
 * Rows in groups that fit one transaction (each row's items together; one item kept for the counters and one for the
 * group's start request).
 */
function packRows(rows: PlannedRow[]): PlannedRow[][] {
  const groups: PlannedRow[][] = [];
  let current: PlannedRow[] = [];
  let size = 0;
  for (const row of rows) {
    const items = 2 + row.outbox.length;
    if (size + items > MAX_TRANSACTION_ITEMS - 2 && current.length > 0) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(row);
    size += items;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function translate(error: unknown, conflictMessage = 'The record changed meanwhile; read it again.'): Error {
  if (isRetryableDynamoError(error)) return new TransientError('DynamoDB is busy; retry.', { cause: error });
  if (isConditionFailure(error)) return new ConflictError(conflictMessage, { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}
