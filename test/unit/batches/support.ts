import { Readable } from 'node:stream';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoBatchRepository } from '../../../shared/adapters/dynamo/dynamo-batch-repository.ts';
import { DynamoPace } from '../../../shared/adapters/dynamo/dynamo-pace.ts';
import { DynamoStartQueue } from '../../../shared/adapters/dynamo/dynamo-start-queue.ts';
import { PacedStarts } from '../../../shared/adapters/sfn/paced-starts.ts';
import { keys, listPartitions } from '../../../shared/adapters/dynamo/keys.ts';
import { readNewestFirst } from '../../../shared/adapters/dynamo/list-index.ts';
import type { SharedEvidence } from '../../../shared/domain/batch.ts';
import type { BatchDeps, BatchFileStore } from '../../../shared/ports/batch-services.ts';
import type { Execution } from '../../../shared/ports/execution-starts.ts';
import { ingestChunk, finishIngestion, prepareIngestion, startReviews } from '../../../shared/use-cases/batches/ingestion.ts';
import { type LocalTable, TABLE, type TestDeps, testDeps } from '../use-cases/support/local-deps.ts';

/** Batch files in memory; reads come back in small pieces, so streaming and byte offsets are exercised. */
export class MemoryBatchFiles implements BatchFileStore {
  readonly objects = new Map<string, Buffer>();

  async presignUpload(input: { key: string }): Promise<string> {
    return `http://files.invalid/${input.key}?upload`;
  }

  async presignDownload(input: { key: string }): Promise<string> {
    return `http://files.invalid/${input.key}`;
  }

  async put(key: string, body: string | Uint8Array): Promise<void> {
    this.objects.set(key, Buffer.from(body));
  }

  async size(key: string): Promise<number | undefined> {
    return this.objects.get(key)?.length;
  }

  async read(key: string, options: { start?: number } = {}): Promise<Readable> {
    const object = this.objects.get(key);
    if (!object) throw Object.assign(new Error(`NoSuchKey ${key}`), { name: 'NoSuchKey' });
    const rest = object.subarray(options.start ?? 0);
    const pieces: Buffer[] = [];
    for (let i = 0; i < rest.length; i += 61) pieces.push(rest.subarray(i, i + 61));
    return Readable.from(pieces);
  }

  async concat(input: { target: string; header: string; parts: string[] }): Promise<void> {
    this.objects.set(input.target, Buffer.concat([Buffer.from(input.header), ...input.parts.map((p) => this.objects.get(p) ?? Buffer.alloc(0))]));
  }

  text(key: string): string {
    return (this.objects.get(key) ?? Buffer.alloc(0)).toString('utf8');
  }
}

export interface BatchTestDeps extends TestDeps, BatchDeps {
  files: MemoryBatchFiles;
  /** Ingestion runs started, and review runs started by ingestion (what Step Functions was asked, in order). */
  ingestions: { batchId: string; name: string }[];
  reviewRuns: { applicationId: string; name: string }[];
}

/** The use-case deps on DynamoDB Local, with the bulk ports: the real repository, files in memory, recorded starts. */
export function batchTestDeps(table: LocalTable, settings: Partial<BatchDeps['batchSettings']> = {}): BatchTestDeps {
  const base = testDeps(table);
  const { documents } = table;
  const files = new MemoryBatchFiles();
  const ingestions: BatchTestDeps['ingestions'] = [];
  const reviewRuns: BatchTestDeps['reviewRuns'] = [];
  const batchSettings = { chunkRows: 1000, writeConcurrency: 2, maxManifestBytes: 10 * 1024 * 1024, urlTtlSeconds: 600, ...settings };
  return Object.assign(base, {
    batches: new DynamoBatchRepository(documents, TABLE, { writeConcurrency: batchSettings.writeConcurrency }),
    batchFiles: files,
    files,
    ingestion: {
      start: async (input: { batchId: string; name: string }) => {
        ingestions.push({ batchId: input.batchId, name: input.name });
      },
    },
    // The real start queue and pace on the table, with a launcher that records what Step Functions would be asked.
    reviewStarter: new PacedStarts(new DynamoStartQueue(documents, TABLE), new DynamoPace(documents, TABLE, { rate: 10_000, burst: 1_000 }), {
      launch: async (execution: Execution) => {
        reviewRuns.push({ applicationId: String(execution.input.applicationId), name: execution.name });
        return 'started' as const;
      },
    }),
    batchSettings,
    ingestions,
    reviewRuns,
  });
}

/** What the ingestion workflow does, in process: Prepare, IngestChunk until done, Finish, StartReviews until done. */
export async function runIngestion(deps: BatchTestDeps, batch: { id: string; tenantId: string }): Promise<void> {
  const input = { batchId: batch.id, tenantId: batch.tenantId };
  let { done } = await prepareIngestion(deps, input);
  while (!done) ({ done } = await ingestChunk(deps, input));
  await finishIngestion(deps, input);
  for (let started = false; !started; ) ({ done: started } = await startReviews(deps, input));
}

/** Every item of the records table whose fields match (a scan: tests only). */
export async function scanTable(table: LocalTable, filter: { expression: string; values: Record<string, unknown>; names?: Record<string, string> }) {
  const { documents } = table;
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: TABLE,
        FilterExpression: filter.expression,
        ExpressionAttributeValues: filter.values,
        ...(filter.names ? { ExpressionAttributeNames: filter.names } : {}),
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The applications of a batch, from its list (every shard of gsi2, then the table), every page. */
export async function applicationsOfBatch(table: LocalTable, batchId: string): Promise<Record<string, unknown>[]> {
  const name = keys.applicationsOfBatch(batchId);
  const list = { index: 'gsi2', name, partitions: listPartitions(name) } as const;
  const items: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page = await readNewestFirst(table.documents, TABLE, list, { limit: 200, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** Accepted shared evidence of `kind`, recorded directly (as the upload check would leave it). */
export async function acceptedSharedEvidence(deps: BatchTestDeps, tenantId: string, kind: SharedEvidence['kind']): Promise<SharedEvidence> {
  const evidenceId = deps.ids.next('ev');
  const evidence: SharedEvidence = {
    evidenceId,
    tenantId,
    kind,
    contentType: 'application/pdf',
    contentLength: 1234,
    status: 'accepted',
    objectKey: `batch-evidence/${tenantId}/${evidenceId}`,
    sha256: 'b'.repeat(64),
    createdAt: deps.clock.now().toISOString(),
    checkedAt: deps.clock.now().toISOString(),
  };
  await deps.batches.putSharedEvidence(evidence);
  return evidence;
}

/** Parses a report CSV into records (header as keys). */
export async function parseReport(text: string): Promise<Record<string, string>[]> {
  const { parse } = await import('csv-parse/sync');
  return parse(text, { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
}
