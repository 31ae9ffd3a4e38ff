import { setTimeout as delay } from 'node:timers/promises';
import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../../domain/errors.ts';
import { RegistryRecord } from '../../domain/filing-registry.ts';
import type { FilingRegistryRepository, StoredRegistryRecord } from '../../ports/filing-registry-repository.ts';
import { isRetryableDynamoError } from './client.ts';
import { keys } from './keys.ts';

/** BatchWriteItem takes at most 25 items per call. */
const BATCH_SIZE = 25;
/** Batches in flight at once: enough to import thousands of records within a Lambda's time, gentle on the table. */
const CONCURRENCY = 4;
/** Rounds of re-sending unprocessed items (throttling) before giving up with a TransientError. */
const MAX_ROUNDS = 8;
const BASE_BACKOFF_MS = 25;

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } };

/** `FilingRegistryRepository` on the records table: items `TENANT#<tenantId>` / `REGISTRY#<filing number>`. */
export class DynamoFilingRegistryRepository implements FilingRegistryRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sleep: (ms: number) => Promise<unknown> = delay,
  ) {}

  async putRecords(tenantId: string, records: readonly RegistryRecord[], importedAt: string): Promise<void> {
    const requests: WriteRequest[] = records.map((record) => ({
      PutRequest: {
        Item: { ...keys.registryRecord(tenantId, record.filingNumber), entity: 'registry_record', tenantId, importedAt, record },
      },
    }));
    const batches: WriteRequest[][] = [];
    for (let i = 0; i < requests.length; i += BATCH_SIZE) batches.push(requests.slice(i, i + BATCH_SIZE));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) await this.writeBatch(batches[next++] as WriteRequest[]);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, batches.length) }, worker));
  }

  async get(tenantId: string, filingNumber: string): Promise<StoredRegistryRecord | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.registryRecord(tenantId, filingNumber), ConsistentRead: true }),
    );
    return out.Item ? stored(out.Item) : undefined;
  }

  async listSubject(tenantId: string, subjectFilingNumber: string): Promise<StoredRegistryRecord[]> {
    const found: StoredRegistryRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          // The subject number ends in 号, so this prefix matches its own record and its `-n` websites, nothing else.
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': keys.registryRecord(tenantId, subjectFilingNumber).pk,
            ':prefix': keys.registryPrefix(subjectFilingNumber),
          },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      found.push(...(out.Items ?? []).map(stored));
      start = out.LastEvaluatedKey;
    } while (start);
    return found;
  }

  /** Writes one batch, re-sending what DynamoDB leaves unprocessed with exponential backoff and full jitter. */
  private async writeBatch(batch: WriteRequest[]): Promise<void> {
    let pending = batch;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (round > 0) await this.sleep(Math.random() * BASE_BACKOFF_MS * 2 ** round);
      try {
        const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (out.UnprocessedItems?.[this.tableName] ?? []) as WriteRequest[];
      } catch (error) {
        if (!isRetryableDynamoError(error)) throw error;
      }
      if (pending.length === 0) return;
    }
    throw new TransientError(`DynamoDB left ${pending.length} registry records unwritten; repeat the import.`);
  }
}

function stored(item: Record<string, unknown>): StoredRegistryRecord {
  return { record: RegistryRecord.parse(item.record), importedAt: String(item.importedAt) };
}
