import type { ApplicationFilter } from '../domain/application-filter.ts';
import type { Application, Evidence, OutboxEvent, TimelineEntry } from '../domain/records.ts';
import type { StatusChange } from '../domain/status-change.ts';
import type { Execution } from './execution-starts.ts';

export interface IdempotencyRecord {
  tenantId: string;
  key: string;
  requestHash: string;
  applicationId: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page; absent on the last page. */
  nextCursor?: string;
}

/** Where applications, their timelines and evidence records live. Every write is atomic and version-guarded. */
export interface ApplicationRepository {
  /**
   * Creates a draft: the application, its `application.created` event, the filing's open-order guard and (when given)
   * the idempotency record, all or nothing. The timeline's creation entry is the application itself
   * (`creationEntry`), not an item.
   * @throws ConflictError when the filing already has an open order or the idempotency key was used meanwhile.
   */
  create(input: {
    app: Application;
    outbox: OutboxEvent;
    idempotency?: IdempotencyRecord;
  }): Promise<void>;
  findIdempotency(tenantId: string, key: string): Promise<IdempotencyRecord | undefined>;
  get(applicationId: string): Promise<Application | undefined>;
  /**
   * A page of the tenant's applications (or one batch's), newest first unless `order` says `oldest`. Unfiltered and
   * newest first, a page is exact (`limit` items, a cursor exactly when more exist). Filtered or oldest first, one call
   * examines at most `scanBudget` entries of the list: a page may hold fewer than `limit` items and still have a
   * cursor to go on. A cursor is bound to the list, the order and the filters it was made with (else a 400).
   */
  list(
    tenantId: string,
    options: { limit: number; cursor?: string; batchId?: string; order?: 'newest' | 'oldest'; filter?: ApplicationFilter; scanBudget?: number },
  ): Promise<Page<Application>>;
  /** The stored timeline entries: every status change since the creation (see `applicationTimeline`). */
  timeline(applicationId: string): Promise<TimelineEntry[]>;
  /**
   * Writes a status change (application, timeline entry, event) atomically; releases the filing's open-order guard when
   * the new status is final. With `start`, the request to start that execution is written in the same transaction, held
   * by the caller for its own start right after (`ReviewWorkflow.start` with `requested`): a caller that dies between
   * the two leaves the request to the sweep instead of a submitted application with no review.
   * @throws ConflictError when the application changed since it was read (the caller reads again or gives up).
   */
  applyStatusChange(change: StatusChange, options?: { start?: Execution }): Promise<void>;
  /** Updates fields without a status change, guarded by the version read; returns the new application. */
  update(app: Application, set: Partial<Application>): Promise<Application>;
  /**
   * Like `update`, with an event that is not a status change in the same transaction (both or neither).
   * @throws ConflictError when the application changed since it was read.
   */
  updateWithEvent(app: Application, set: Partial<Application>, outbox: OutboxEvent): Promise<Application>;
  putEvidence(evidence: Evidence): Promise<void>;
  getEvidence(applicationId: string, evidenceId: string): Promise<Evidence | undefined>;
  /** The application's evidence: its own uploads, then the shared evidence it references (`shared: true`). */
  listEvidence(app: Pick<Application, 'id' | 'tenantId' | 'sharedEvidence'>): Promise<Evidence[]>;
  /**
   * Records the outcome of the upload check, with its event when given, atomically; only a `pending_upload` record
   * changes (S3 may deliver an event twice), and false says it had been checked already.
   */
  completeEvidenceCheck(evidence: Evidence, outbox?: OutboxEvent): Promise<boolean>;
  /** Emits an event that is not a status change (e.g. review overdue), through the same outbox. */
  emit(outbox: OutboxEvent): Promise<void>;
}
