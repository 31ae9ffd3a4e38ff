import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { FINAL_STATUSES } from '../../domain/application.ts';
import { filterBinding, matchesFilter } from '../../domain/application-filter.ts';
import { approvalEndsFiling, filingCancelled } from '../../domain/kind-rules.ts';
import { ConflictError, TransientError } from '../../domain/errors.ts';
import { Application, Evidence, type OutboxEvent, TimelineEntry } from '../../domain/records.ts';
import { EVENT_RETENTION } from '../../domain/retention.ts';
import type { StatusChange } from '../../domain/status-change.ts';
import type { ApplicationRepository, IdempotencyRecord, Page } from '../../ports/application-repository.ts';
import type { Execution } from '../../ports/execution-starts.ts';
import { cancellationReasons, isConditionFailure, isRetryableDynamoError } from './client.ts';
import { counterShardOf, counterUpdate, statusChangeCounterUpdate } from './batch-counters.ts';
import { callerStartRequestItem } from './dynamo-start-queue.ts';
import { readTakenFiling } from './filing-guard.ts';
import { applicationItem, expiresAfterDays, keys, listPartitions, outboxItem, stripKeys } from './keys.ts';
import { getItems, type ListOf, readNewestFirst } from './list-index.ts';
import { readFiltered } from './list-scan.ts';

const IDEMPOTENCY_TTL_DAYS = 1;

/** `ApplicationRepository` on one DynamoDB table (layout in `keys.ts`). */
export class DynamoApplicationRepository implements ApplicationRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** How long events are kept (`EVENT_RETENTION_DAYS`). */
    private readonly retentionDays: number = EVENT_RETENTION.defaultDays,
  ) {}

  async create(input: Parameters<ApplicationRepository['create']>[0]): Promise<void> {
    const { app } = input;
    // No timeline item: the creation entry is read off the application (`creationEntry`).
    const items = [
      this.put(applicationItem(app), 'attribute_not_exists(pk)'),
      this.outboxPut(input.outbox),
      this.put(
        { ...keys.filingGuard(app.filingNumber), entity: 'filing_guard', applicationId: app.id, tenantId: app.tenantId },
        'attribute_not_exists(pk)',
      ),
    ];
    const guardIndex = 2;
    const idempotencyIndex = 3;
    if (input.idempotency) {
      items.push(
        this.put(
          {
            ...keys.idempotency(input.idempotency.tenantId, input.idempotency.key),
            entity: 'idempotency',
            ...input.idempotency,
            expiresAt: expiresAfterDays(new Date(app.createdAt), IDEMPOTENCY_TTL_DAYS),
          },
          'attribute_not_exists(pk)',
        ),
      );
    }
    // Last, so the indexes of the guard and idempotency items (read back below) stay where they are.
    const counter = app.batchId ? counterUpdate(this.tableName, app.batchId, counterShardOf(app.id), { [app.status]: 1 }) : undefined;
    if (counter) items.push(counter);
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons[guardIndex] === 'ConditionalCheckFailed') {
        const taken = await readTakenFiling(this.client, this.tableName, app.filingNumber, app.tenantId);
        if (taken.state === 'cancelled') throw filingCancelled(app.filingNumber, taken.cancelledAt, error);
        const openId = taken.holderId;
        const which = openId ? `; ${openId} is open for ${app.filingNumber}` : '';
        throw new ConflictError(`Filing ${app.filingNumber} already has an open cancellation order${openId ? ` (${openId})` : ''}.`, {
          cause: error,
          errors: [
            {
              path: 'filingNumber',
              code: 'order_in_progress',
              message: `Providers accept one open order per filing (ORDER_IN_PROGRESS)${which}. Wait for the open order to end, or withdraw it first.`,
            },
          ],
          extensions: openId ? { openApplicationId: openId } : {},
        });
      }
      if (reasons[idempotencyIndex] === 'ConditionalCheckFailed') {
        throw new ConflictError('This Idempotency-Key was used by a concurrent request; retry it.', { cause: error });
      }
      throw this.translate(error);
    }
  }

  async findIdempotency(tenantId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.idempotency(tenantId, key) }));
    if (!out.Item) return undefined;
    const { tenantId: t, key: k, requestHash, applicationId } = out.Item as IdempotencyRecord;
    return { tenantId: t, key: k, requestHash, applicationId };
  }

  async get(applicationId: string): Promise<Application | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.application(applicationId), ConsistentRead: true }),
    );
    return out.Item ? Application.parse(stripKeys(out.Item)) : undefined;
  }

  async list(
    tenantId: string,
    options: Parameters<ApplicationRepository['list']>[1],
  ): Promise<Page<Application>> {
    const name = options.batchId === undefined ? keys.applicationsOfTenant(tenantId) : keys.applicationsOfBatch(options.batchId);
    const list = { index: options.batchId === undefined ? 'gsi1' : 'gsi2', name, partitions: listPartitions(name) } as const;
    const filter = options.filter ?? {};
    const order = options.order ?? 'newest';
    const binding = filterBinding(filter);
    if (order === 'newest' && binding === '') return this.listExact(tenantId, list, options);
    // Filtered or oldest first: another tenant's item (a batch of another tenant) ends the read with nothing.
    const page = await readFiltered(this.client, this.tableName, list, {
      limit: options.limit,
      ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
      order,
      budget: options.scanBudget ?? options.limit,
      filter: {
        binding,
        admit: (item) => {
          const app = Application.parse(stripKeys(item));
          return app.tenantId !== tenantId ? 'foreign' : matchesFilter(app, filter) ? 'keep' : 'skip';
        },
      },
    });
    return { items: page.items.map((i) => Application.parse(stripKeys(i))), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  private async listExact(tenantId: string, list: ListOf, options: { limit: number; cursor?: string }): Promise<Page<Application>> {
    const page = await readNewestFirst(this.client, this.tableName, list, { limit: options.limit, ...(options.cursor === undefined ? {} : { cursor: options.cursor }) });
    const items = page.items.map((i) => Application.parse(stripKeys(i))).filter((a) => a.tenantId === tenantId);
    // Another tenant's batch lists nothing, and no cursor either: a next page would tell how large it is.
    const foreign = items.length < page.items.length;
    return { items, ...(page.nextCursor && !foreign ? { nextCursor: page.nextCursor } : {}) };
  }

  async timeline(applicationId: string): Promise<TimelineEntry[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tl)',
        ExpressionAttributeValues: { ':pk': keys.application(applicationId).pk, ':tl': 'TL#' },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).map((i) => TimelineEntry.parse(stripKeys(i)));
  }

  async applyStatusChange(change: StatusChange, options?: { start?: Execution }): Promise<void> {
    const { previous, next } = change;
    const items = [
      this.put(
        applicationItem(next),
        '#version = :version AND #status = :status',
        { '#version': 'version', '#status': 'status' },
        { ':version': previous.version, ':status': previous.status },
      ),
      this.put({ ...keys.timeline(next.id, change.timeline.sequence), entity: 'timeline', ...change.timeline }, 'attribute_not_exists(pk)'),
      this.outboxPut(change.outbox),
    ];
    const transact: Record<string, unknown>[] = items;
    if (next.status === 'approved' && approvalEndsFiling(next.kind)) {
      // The filing is gone: its guard stays, as a tombstone, so that no order is ever opened on it again.
      transact.push(
        this.put(
          { ...keys.filingGuard(next.filingNumber), entity: 'filing_guard', state: 'cancelled', applicationId: next.id, tenantId: next.tenantId, cancelledAt: next.updatedAt },
          'attribute_not_exists(pk) OR applicationId = :id',
          undefined,
          { ':id': next.id },
        ),
      );
    } else if (FINAL_STATUSES.has(next.status)) {
      transact.push({
        Delete: {
          TableName: this.tableName,
          Key: keys.filingGuard(next.filingNumber),
          ConditionExpression: 'attribute_not_exists(pk) OR applicationId = :id',
          ExpressionAttributeValues: { ':id': next.id },
        },
      });
    }
    // A batch's counts per status change in the same transaction, so they are exact however many change at once.
    const counter = next.batchId
      ? statusChangeCounterUpdate(this.tableName, next.batchId, next.id, previous.status, next.status)
      : undefined;
    if (counter) transact.push(counter);
    // The review the change asks for, durable with it: the caller starts it next, or the sweep if the caller dies.
    if (options?.start) {
      transact.push({ Put: { TableName: this.tableName, Item: callerStartRequestItem(options.start, { requestedAt: next.updatedAt, now: Date.now() }) } });
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: transact }));
    } catch (error) {
      throw this.translate(error, `Application ${next.id} changed meanwhile; read it again.`);
    }
  }

  async update(app: Application, set: Partial<Application>): Promise<Application> {
    const next: Application = { ...app, ...set, version: app.version + 1 };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: applicationItem(next),
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': app.version },
        }),
      );
    } catch (error) {
      throw this.translate(error, `Application ${app.id} changed meanwhile; read it again.`);
    }
    return next;
  }

  async updateWithEvent(app: Application, set: Partial<Application>, outbox: OutboxEvent): Promise<Application> {
    const next: Application = { ...app, ...set, version: app.version + 1 };
    const put = this.put(
      applicationItem(next),
      '#version = :version',
      { '#version': 'version' },
      { ':version': app.version },
    );
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: [put, this.outboxPut(outbox)] }));
    } catch (error) {
      throw this.translate(error, `Application ${app.id} changed meanwhile; read it again.`);
    }
    return next;
  }

  async putEvidence(evidence: Evidence): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.evidence(evidence.applicationId, evidence.evidenceId), entity: 'evidence', ...evidence },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getEvidence(applicationId: string, evidenceId: string): Promise<Evidence | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.evidence(applicationId, evidenceId), ConsistentRead: true }),
    );
    return out.Item ? Evidence.parse(stripKeys(out.Item)) : undefined;
  }

  async listEvidence(app: Pick<Application, 'id' | 'tenantId' | 'sharedEvidence'>): Promise<Evidence[]> {
    const [own, shared] = await Promise.all([
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ev)',
          ExpressionAttributeValues: { ':pk': keys.application(app.id).pk, ':ev': 'EVIDENCE#' },
          ConsistentRead: true,
        }),
      ),
      this.sharedEvidenceOf(app),
    ]);
    return [...(own.Items ?? []).map((i) => Evidence.parse(stripKeys(i))), ...shared];
  }

  /** The shared evidence records `app` references (one BatchGetItem), as its evidence, in the order referenced. */
  private async sharedEvidenceOf(app: Pick<Application, 'id' | 'tenantId' | 'sharedEvidence'>): Promise<Evidence[]> {
    const ids = [...new Set(app.sharedEvidence ?? [])];
    if (ids.length === 0) return [];
    const items = await getItems(this.client, this.tableName, ids.map((id) => keys.batchEvidence(app.tenantId, id)), { consistent: true });
    return items.map((item) => Evidence.parse({ ...stripKeys(item), applicationId: app.id, shared: true }));
  }

  async completeEvidenceCheck(evidence: Evidence, outbox?: OutboxEvent): Promise<boolean> {
    const put = this.put(
      { ...keys.evidence(evidence.applicationId, evidence.evidenceId), entity: 'evidence', ...evidence },
      '#status = :pending',
      { '#status': 'status' },
      { ':pending': 'pending_upload' },
    );
    try {
      // With an event (a rejected file), the record and its event are written together or not at all.
      await this.client.send(new TransactWriteCommand({ TransactItems: outbox ? [put, this.outboxPut(outbox)] : [put] }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw this.translate(error);
    }
  }

  async emit(outbox: OutboxEvent): Promise<void> {
    await this.client.send(new TransactWriteCommand({ TransactItems: [this.outboxPut(outbox)] }));
  }

  private outboxPut(outbox: OutboxEvent): Record<string, unknown> {
    return this.put(outboxItem(outbox, this.retentionDays), 'attribute_not_exists(pk)');
  }

  private put(
    item: Record<string, unknown>,
    condition?: string,
    names?: Record<string, string>,
    values?: Record<string, unknown>,
  ): Record<string, unknown> {
    return {
      Put: {
        TableName: this.tableName,
        Item: item,
        ...(condition ? { ConditionExpression: condition } : {}),
        ...(names ? { ExpressionAttributeNames: names } : {}),
        ...(values ? { ExpressionAttributeValues: values } : {}),
      },
    };
  }

  /** Lost races become ConflictError (the caller decides), throttling becomes TransientError (the workflow retries). */
  private translate(error: unknown, conflictMessage = 'The record changed meanwhile; read it again.'): Error {
    if (isRetryableDynamoError(error)) return new TransientError('DynamoDB is busy; retry.', { cause: error });
    if (isConditionFailure(error)) return new ConflictError(conflictMessage, { cause: error });
    return error instanceof Error ? error : new Error(String(error));
  }
}

