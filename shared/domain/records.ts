import * as z from '../zod.ts';
import { ApplicationInput, ApplicationStatus } from './application.ts';
import { BatchEvent } from './batch-event.ts';
import { EvidenceContentType, EvidenceKind } from './evidence-matrix.ts';
import { Bilingual } from './rejection-reasons.ts';
import { SmsVerification } from './sms-verification.ts';

/** The records the system keeps, as zod schemas: every item read back from storage is parsed with one of these. */

export const Scope = z.enum(['agency', 'operator']);
export type Scope = z.infer<typeof Scope>;

/** Who is calling: the tenant (agency) and what its key may do. Comes from the authorizer. */
export const Principal = z.object({
  tenantId: z.string().check(z.minLength(1)),
  keyId: z.string().check(z.minLength(1)),
  scopes: z.array(Scope).check(z.minLength(1)),
});
export type Principal = z.infer<typeof Principal>;

export const RejectionReason = z.strictObject({
  code: z.string().check(z.minLength(1), z.maxLength(64)),
  message: z.string().check(z.minLength(1), z.maxLength(1000)),
});
export type RejectionReason = z.infer<typeof RejectionReason>;

/** A rejection reason as the API and webhooks show it: with the catalogue's title and fix hint for its code. */
export const DescribedRejectionReason = z.extend(RejectionReason, { title: Bilingual, fixHint: Bilingual });
export type DescribedRejectionReason = z.infer<typeof DescribedRejectionReason>;

/** Something the agency should confirm about an application that is accepted all the same (e.g. `not_in_registry`). */
export const ApplicationWarning = z.strictObject({ code: z.string().check(z.minLength(1)), message: z.string().check(z.minLength(1)) });
export type ApplicationWarning = z.infer<typeof ApplicationWarning>;

/** The last day the authority has for the current attempt (China date), and whether the holiday calendar covers it. */
export const ReviewDeadlineRecord = z.strictObject({
  date: z.iso.date(),
  /** True when the deadline depends on a year whose holiday notice is not in the calendar (weekends only). */
  estimate: z.boolean(),
  uncoveredYears: z.optional(z.array(z.number().check(z.int()))),
});
export type ReviewDeadlineRecord = z.infer<typeof ReviewDeadlineRecord>;

export const Decision = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('approved') }),
  z.strictObject({ outcome: z.literal('rejected'), reasons: z.array(RejectionReason).check(z.minLength(1), z.maxLength(20)) }),
]);
export type Decision = z.infer<typeof Decision>;

/** A token the workflow is waiting on, stored so an HTTP call (decision, resubmission) can resume it. */
export const PendingTask = z.object({
  step: z.enum(['review', 'correction']),
  token: z.string().check(z.minLength(1)),
  attempt: z.number().check(z.int(), z.minimum(1)),
});
export type PendingTask = z.infer<typeof PendingTask>;

export const Application = z.extend(ApplicationInput, {
  id: z.string(),
  tenantId: z.string(),
  status: ApplicationStatus,
  /** 1 for the first submission, +1 for each resubmission. */
  attempt: z.number().check(z.int(), z.minimum(1)),
  /** The last timeline sequence number. */
  sequence: z.number().check(z.int(), z.minimum(1)),
  /** Optimistic-lock counter; every write checks and bumps it. */
  version: z.number().check(z.int(), z.minimum(1)),
  requiredEvidence: z.array(EvidenceKind),
  rejectionReasons: z._default(z.array(RejectionReason), []),
  /** Warnings of the last validation (creation or resubmission), shown with the application. */
  warnings: z.optional(z.array(ApplicationWarning)),
  /** Set when the application is submitted (and again on each resubmission). */
  reviewDeadline: z.optional(ReviewDeadlineRecord),
  /** The authority's decision for the current attempt, kept so a restarted workflow can pick it up. */
  decision: z.optional(z.object({ attempt: z.number().check(z.int()), decision: Decision, at: z.string() })),
  pendingTask: z.optional(PendingTask),
  /** How many review executions have been started; names them uniquely (`<id>-<runs>`). */
  workflowRuns: z._default(z.number().check(z.int(), z.minimum(0)), 0),
  probe: z.optional(z.object({ reachable: z.boolean(), checkedAt: z.string(), detail: z.string() })),
  batchId: z.optional(z.string()),
  /**
   * Shared evidence of the tenant (`POST /v1/batch-evidence`) this application uses, by id: one business licence for
   * all websites of a subject is stored once and referenced, not copied onto every application of a batch.
   */
  sharedEvidence: z.optional(z.array(z.string())),
  /**
   * Submit this draft as soon as its evidence is complete (a row of a batch submitted `immediately` that lacked files
   * when it was ingested): the evidence check that completes it submits it, as `POST …/submit` would.
   */
  submitWhenComplete: z.optional(z.literal(true)),
  /**
   * Created submitted (a row of a batch submitted `immediately` with its evidence complete): its timeline's submission,
   * entry 2, is read off the application like its creation (`submissionEntry`), not stored.
   */
  submittedOnCreation: z.optional(z.literal(true)),
  /** The authority's SMS verification for the attempt it names (recorded by `POST /v1/reviews/{id}/verification`). */
  smsVerification: z.optional(SmsVerification),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Application = z.infer<typeof Application>;

export const TimelineEntry = z.object({
  sequence: z.number().check(z.int(), z.minimum(1)),
  status: ApplicationStatus,
  at: z.string(),
  detail: z.string(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const EvidenceStatus = z.enum(['pending_upload', 'accepted', 'rejected']);
export const Evidence = z.object({
  evidenceId: z.string(),
  applicationId: z.string(),
  tenantId: z.string(),
  kind: EvidenceKind,
  contentType: EvidenceContentType,
  contentLength: z.number().check(z.int(), z.positive()),
  status: EvidenceStatus,
  objectKey: z.string(),
  sha256: z.optional(z.string()),
  rejectionReason: z.optional(z.string()),
  /** The rule the file broke (e.g. `content_type_mismatch`, `resolution_too_low`). */
  rejectionCode: z.optional(z.string()),
  createdAt: z.string(),
  checkedAt: z.optional(z.string()),
  /** Shared evidence the application references (uploaded once for many applications), not its own upload. */
  shared: z.optional(z.literal(true)),
});
export type Evidence = z.infer<typeof Evidence>;

export const EventType = z.enum([
  'application.created',
  'application.submitted',
  'application.under_review',
  'application.rejected',
  'application.approved',
  'application.rejected_final',
  'application.failed',
  'application.withdrawn',
  'application.review_overdue',
  'application.evidence_rejected',
  'application.verification_required',
  'batch.completed',
]);
export type EventType = z.infer<typeof EventType>;

/** The event as delivered to webhooks (the signed body). */
export const DomainEvent = z.object({
  type: EventType,
  timestamp: z.string(),
  data: z.object({
    applicationId: z.string(),
    status: ApplicationStatus,
    sequence: z.number().check(z.int()),
    attempt: z.number().check(z.int()),
    filingNumber: z.string(),
    customerRef: z.optional(z.string()),
    /** The batch the application came in, if any. */
    batchId: z.optional(z.string()),
    reasons: z.optional(z.array(DescribedRejectionReason)),
    /** For `application.evidence_rejected`: which file, and why. */
    evidence: z.optional(z.object({ evidenceId: z.string(), kind: z.string(), code: z.string(), message: z.string() })),
    /** For `application.verification_required`: who got the code, and until when it can be entered. */
    verification: z.optional(z.extend(z.omit(SmsVerification, { attempt: true }), { maxAttempts: z.number().check(z.int()) })),
  }),
});
export type DomainEvent = z.infer<typeof DomainEvent>;

/** An event in the outbox, written in the same transaction as the change it reports: an application's, or a batch's. */
export const OutboxEvent = z.object({
  eventId: z.string(),
  tenantId: z.string(),
  event: z.union([DomainEvent, BatchEvent]),
});
export type OutboxEvent = z.infer<typeof OutboxEvent>;
/** An application's event in the outbox (every status change writes one). */
export type ApplicationOutboxEvent = OutboxEvent & { event: DomainEvent };

export const WebhookEndpoint = z.object({
  endpointId: z.string(),
  tenantId: z.string(),
  url: z.string(),
  /** Event types to send; empty means all. */
  eventTypes: z.array(EventType),
  /** The current signing secret. */
  secret: z.string(),
  /** Secrets replaced by a rotation, still signed with until they expire, so receivers can switch without a gap. */
  previousSecrets: z._default(z.array(z.object({ secret: z.string(), expiresAt: z.string() })), []),
  status: z.enum(['enabled', 'disabled']),
  disabledReason: z.optional(z.string()),
  createdAt: z.string(),
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

export const DeliveryAttempt = z.object({
  attempt: z.number().check(z.int(), z.minimum(1)),
  at: z.string(),
  outcome: z.enum(['delivered', 'retryable', 'gone', 'refused']),
  status: z.optional(z.number().check(z.int())),
  durationMs: z.number(),
  error: z.optional(z.string()),
});
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

export const Delivery = z.object({
  deliveryId: z.string(),
  tenantId: z.string(),
  eventId: z.string(),
  endpointId: z.string(),
  eventType: z.optional(EventType),
  status: z.enum(['pending', 'delivered', 'failed', 'endpoint_disabled']),
  attempts: z.number().check(z.int(), z.minimum(0)),
  /** Manual redeliveries so far; each runs its own delivery execution. */
  redeliveries: z._default(z.number().check(z.int(), z.minimum(0)), 0),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Delivery = z.infer<typeof Delivery>;
