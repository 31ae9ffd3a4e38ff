import type { Batch, BatchCounts, SharedEvidence } from '../domain/batch.ts';
import type { Application, OutboxEvent } from '../domain/records.ts';
import type { Execution } from './execution-starts.ts';
import type { Page } from './application-repository.ts';

/** A row of a batch ready to be written: its application with everything a creation writes with it. */
export interface PlannedRow {
  row: number;
  /**
   * As stored: a draft, or already submitted (then `outbox` holds both events); shared evidence by id. A row stores no
   * timeline entry: its creation and submission are read off the application (`application-timeline.ts`).
   */
  app: Application;
  outbox: OutboxEvent[];
  /**
   * The review execution to start, for a row written submitted: requested with the row (one request for the submitted
   * rows of a transaction), started at the pace.
   */
  start?: Execution;
}

/** What became of a planned row. */
export type RowWrite =
  | { row: number; result: 'written' }
  /** The application already exists: an earlier, interrupted run of this chunk wrote it. */
  | { row: number; result: 'exists' }
  /** The filing has an open order: `holder` is the application holding it (only when it is the same tenant's). */
  | { row: number; result: 'filing_taken'; holderId?: string }
  /** The filing's cancellation was approved already: the number no longer exists. */
  | { row: number; result: 'filing_cancelled'; cancelledAt?: string };

/** Batches, their counters and shared evidence. Every write of a batch record is guarded by its `version`. */
export interface BatchRepository {
  /**
   * Creates the batch record and (when given) its idempotency record, both or neither.
   * @throws ConflictError when the idempotency key was taken meanwhile.
   */
  create(input: { batch: Batch; idempotency?: { key: string; requestHash: string } }): Promise<void>;
  findIdempotency(tenantId: string, key: string): Promise<{ batchId: string; requestHash: string } | undefined>;
  get(batchId: string): Promise<Batch | undefined>;
  /** The tenant's batches, newest first, a page at a time. @throws ValidationError for a cursor not of this list. */
  list(tenantId: string, options: { limit: number; cursor?: string }): Promise<Page<Batch>>;
  /**
   * Updates fields of the batch, guarded by the version read; returns the new record.
   * @throws ConflictError when the batch changed since it was read.
   */
  update(batch: Batch, set: Partial<Batch>): Promise<Batch>;
  /** Like `update`, with an outbox event in the same transaction; false when the batch changed meanwhile. */
  updateWithEvent(batch: Batch, set: Partial<Batch>, outbox: OutboxEvent): Promise<boolean>;
  /** Applications of the batch per status (kept by every creation and status change, in the same transaction). */
  counts(batchId: string): Promise<BatchCounts>;
  /**
   * Writes planned rows, each all-or-nothing (application, events, the filing's open-order
   * guard, the request to start its review, and the batch's counters), many rows per transaction. Rows whose application exists or whose filing is
   * taken are left out and reported; the others are written.
   * @throws TransientError when DynamoDB keeps throttling or conflicting.
   */
  writeRows(batchId: string, rows: PlannedRow[]): Promise<RowWrite[]>;
  /**
   * Whether the tenant has imported any filing registry record: without one, the rows of a batch need no registry
   * look-up (each would find nothing), which spares a query per subject.
   */
  hasRegistryRecords(tenantId: string): Promise<boolean>;
  putSharedEvidence(evidence: SharedEvidence): Promise<void>;
  getSharedEvidence(tenantId: string, evidenceId: string): Promise<SharedEvidence | undefined>;
  /** Records the upload check; only a `pending_upload` record changes (S3 may deliver an event twice). */
  completeSharedEvidenceCheck(evidence: SharedEvidence): Promise<boolean>;
}
