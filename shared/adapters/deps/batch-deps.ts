import { config } from '../../config.ts';
import type { BatchDeps } from '../../ports/batch-services.ts';
import { DynamoBatchRepository } from '../dynamo/dynamo-batch-repository.ts';
import { batchConfig } from './batch-config.ts';
import { bound } from './bound.ts';
import { documentClient } from './documents.ts';

/** Batch records in the table and the bulk settings: the DynamoDB document client only. */
export const batchDeps: () => Pick<BatchDeps, 'batches' | 'batchSettings'> = bound(() => {
  const b = batchConfig();
  return {
    batches: new DynamoBatchRepository(documentClient(), config().TABLE_NAME, {
      writeConcurrency: b.BATCH_WRITE_CONCURRENCY,
      retentionDays: config().EVENT_RETENTION_DAYS,
    }),
    batchSettings: {
      chunkRows: b.BATCH_CHUNK_ROWS,
      writeConcurrency: b.BATCH_WRITE_CONCURRENCY,
      maxManifestBytes: b.BATCH_MANIFEST_MAX_BYTES,
      urlTtlSeconds: b.BATCH_URL_TTL_SECONDS,
    },
  };
});
