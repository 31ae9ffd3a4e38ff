import type { Readable } from 'node:stream';
import type { BatchRepository } from './batch-repository.ts';
import type { StartDrainer } from './execution-starts.ts';

/** Batch files in S3: manifests, inline items, report parts and reports. */
export interface BatchFileStore {
  /** A short-lived URL that accepts one PUT of `contentType` to `key` (any size: manifests are not known in advance). */
  presignUpload(input: { key: string; contentType: string; expiresInSeconds: number }): Promise<string>;
  /** A short-lived URL to download `key`, saved as `fileName`. */
  presignDownload(input: { key: string; fileName: string; expiresInSeconds: number }): Promise<string>;
  put(key: string, body: string | Uint8Array, contentType: string): Promise<void>;
  /** Size of the object (of that version, when given); undefined when there is none. */
  size(key: string, version?: string): Promise<number | undefined>;
  /** The object's bytes from `start` to the end, as a stream (destroy it to stop reading early). */
  read(key: string, options?: { start?: number; version?: string }): Promise<Readable>;
  /** Writes `target` as `header` followed by the parts in order, streamed (it is never held in memory whole). */
  concat(input: { target: string; header: string; parts: string[]; contentType: string }): Promise<void>;
}

/** The batch ingestion workflow (Step Functions). */
export interface BatchIngestionWorkflow {
  /** Starts (or, with the same name, joins) the ingestion of a batch. */
  start(input: { batchId: string; tenantId: string; name: string }): Promise<void>;
}

/** Knobs of bulk ingestion (environment variables, see `adapters/deps/batch-config.ts`). */
export interface BatchSettings {
  /** Rows one IngestChunk invocation reads at most (`BATCH_CHUNK_ROWS`). */
  chunkRows: number;
  /** Row transactions in flight at once (`BATCH_WRITE_CONCURRENCY`). */
  writeConcurrency: number;
  /** Largest manifest accepted, in bytes (`BATCH_MANIFEST_MAX_BYTES`). */
  maxManifestBytes: number;
  /** Lifetime of the presigned manifest upload and report download URLs. */
  urlTtlSeconds: number;
}

/** The ports only bulk ingestion uses, bound once per process by the batch factories of `adapters/deps/`. */
export interface BatchDeps {
  batches: BatchRepository;
  batchFiles: BatchFileStore;
  ingestion: BatchIngestionWorkflow;
  /**
   * Starts the reviews a batch's rows requested (each request written with its row), at the system's one pace: while
   * the chunks are written, then by `StartReviews` until none is left.
   */
  reviewStarter: StartDrainer;
  batchSettings: BatchSettings;
}
