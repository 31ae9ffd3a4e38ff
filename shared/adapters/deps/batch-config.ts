import * as z from '../../zod.ts';
import { bound } from './bound.ts';

/** Bulk ingestion's configuration (environment variables, validated once like `shared/config.ts`). */
export const BatchConfig = z.object({
  /** The ingestion state machine; set by the CDK stack (and the local runtime) on the functions that start it. */
  BATCH_STATE_MACHINE_ARN: z._default(z.string().check(z.minLength(1)), 'unset'),
  /** Rows one IngestChunk invocation reads at most: sized so a chunk ends well within the function's timeout. */
  BATCH_CHUNK_ROWS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(20_000)), 1_000),
  /** Row transactions (up to 100 items: 16 to 33 rows each) in flight at once during a chunk. */
  BATCH_WRITE_CONCURRENCY: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(32)), 4),
  /** Largest manifest accepted (bytes); a larger one fails the batch before anything is created. */
  BATCH_MANIFEST_MAX_BYTES: z._default(z.coerce.number().check(z.int(), z.minimum(1024)), 256 * 1024 * 1024),
  /** Lifetime of the manifest upload URL and of the report download URL. */
  BATCH_URL_TTL_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(60), z.maximum(3600)), 600),
});
export type BatchConfig = z.infer<typeof BatchConfig>;

/** The validated bulk configuration, read once per binding (like `config()`, it throws at cold start when wrong). */
export const batchConfig: () => BatchConfig = bound(() => BatchConfig.parse(process.env));
