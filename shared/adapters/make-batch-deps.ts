import { z } from 'zod';
import { config } from '../config.ts';
import type { BatchDeps } from '../ports/batch-services.ts';
import type { Deps } from '../ports/deps.ts';
import { awsClients, makeDeps } from './make-deps.ts';
import { DynamoBatchRepository } from './dynamo/dynamo-batch-repository.ts';
import { S3BatchFiles } from './s3/s3-batch-files.ts';
import { SfnBatchIngestion, SfnReviewStarter } from './sfn/sfn-batch-workflows.ts';
import { TokenBucket } from './sfn/token-bucket.ts';

/** Bulk ingestion's configuration (environment variables, validated once like `shared/config.ts`). */
export const BatchConfig = z.object({
  /** The ingestion state machine; set by the CDK stack (and the local runtime) on the functions that start it. */
  BATCH_STATE_MACHINE_ARN: z.string().min(1).default('unset'),
  /** Rows one IngestChunk invocation reads at most: sized so a chunk ends well within the function's timeout. */
  BATCH_CHUNK_ROWS: z.coerce.number().int().min(1).max(20_000).default(1_000),
  /** Row transactions (up to 100 items: 19 to 33 rows each) in flight at once during a chunk. */
  BATCH_WRITE_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  /** Largest manifest accepted (bytes); a larger one fails the batch before anything is created. */
  BATCH_MANIFEST_MAX_BYTES: z.coerce.number().int().min(1024).default(256 * 1024 * 1024),
  /** Lifetime of the manifest upload URL and of the report download URL. */
  BATCH_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(600),
  /** Review executions started per second by one ingestion (token bucket refill); Step Functions refills ~300/s. */
  REVIEW_START_RATE: z.coerce.number().positive().max(10_000).default(300),
  /** Review executions that may start at once before the rate applies (bucket capacity). */
  REVIEW_START_BURST: z.coerce.number().int().min(1).max(10_000).default(300),
});
export type BatchConfig = z.infer<typeof BatchConfig>;

let deps: BatchDeps | undefined;
let boundTo: Deps | undefined;

/**
 * Binds the bulk ingestion ports once per process (module scope in Lambda), next to `makeDeps()`; rebinds when
 * `makeDeps()` was reset (the local runtime does that after pointing the environment at its engines).
 */
export function makeBatchDeps(): BatchDeps {
  const base = makeDeps();
  if (deps && boundTo === base) return deps;
  boundTo = base;
  const c = config();
  const b = BatchConfig.parse(process.env);
  const { documents, s3, sfn } = awsClients();
  deps = {
    batches: new DynamoBatchRepository(documents, c.TABLE_NAME, { writeConcurrency: b.BATCH_WRITE_CONCURRENCY }),
    batchFiles: new S3BatchFiles(s3, c.BUCKET_NAME),
    ingestion: new SfnBatchIngestion(sfn, b.BATCH_STATE_MACHINE_ARN),
    reviewStarter: new SfnReviewStarter(sfn, c.REVIEW_STATE_MACHINE_ARN, {
      bucket: new TokenBucket({ refillPerSecond: b.REVIEW_START_RATE, capacity: b.REVIEW_START_BURST }),
    }),
    batchSettings: {
      chunkRows: b.BATCH_CHUNK_ROWS,
      writeConcurrency: b.BATCH_WRITE_CONCURRENCY,
      maxManifestBytes: b.BATCH_MANIFEST_MAX_BYTES,
      urlTtlSeconds: b.BATCH_URL_TTL_SECONDS,
    },
  };
  return deps;
}

/** Forget the bound adapters (tests, and the local runtime after it changed the environment). */
export function resetBatchDeps(): void {
  deps = undefined;
  boundTo = undefined;
}
