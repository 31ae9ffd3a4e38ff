import * as z from 'zod';
import { bound } from './bound.ts';

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

/** The validated bulk configuration, read once per binding (like `config()`, it throws at cold start when wrong). */
export const batchConfig: () => BatchConfig = bound(() => BatchConfig.parse(process.env));
