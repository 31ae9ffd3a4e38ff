import { ApplicationStatus } from '../domain/application.ts';
import { BatchError, BatchStatus, BatchSubmitMode, type BatchView, type SharedEvidence as SharedEvidenceRecord } from '../domain/batch.ts';
import { EvidenceContentType, EvidenceKind } from '../domain/evidence-matrix.ts';
import * as z from '../zod.ts';
import type { BatchReleasePage } from '../use-cases/batches/release-batch.ts';
import type { getBatchReport } from '../use-cases/batches/read-batch.ts';
import type { ManifestUpload } from '../use-cases/batches/create-batch.ts';
import type { sharedEvidenceView } from '../use-cases/batches/batch-evidence.ts';
import type { Agrees, Assert } from './agree.ts';
import { pageOf, Timestamp } from './applications.ts';

/** The answers of the batch routes (see `applications.ts` for how these are kept true to the code). */

const Count = z.number().check(z.int(), z.minimum(0));

export const Batch = z.strictObject({
  id: z.string().check(z.describe('`bat_` and a ULID.')),
  status: BatchStatus,
  source: z.enum(['inline', 'csv']),
  submit: BatchSubmitMode,
  hold: z.boolean().check(z.describe('`submit` is `hold`: the rows stay drafts until `POST /v1/batches/{id}/submit`.')),
  rows: z.strictObject({
    total: z.optional(Count.check(z.describe('Known once the items are in (inline) or the manifest has been scanned.'))),
    processed: Count,
    accepted: Count,
    rejected: Count,
  }),
  // Every status as a property of its own (a record keyed by the enum would say the same less plainly to generators).
  counts: z.strictObject(Object.fromEntries(ApplicationStatus.options.map((s) => [s, Count])) as Record<ApplicationStatus, typeof Count>).check(
    z.describe('The batch\'s applications per status, every status present.'),
  ),
  progress: z.number().check(z.minimum(0), z.maximum(1), z.describe('Rows that reached an end (refused, or an application in a final status), from 0 to 1.')),
  reportAvailable: z.boolean(),
  error: z.optional(z.strictObject(BatchError.shape)),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  ingestedAt: z.optional(Timestamp.check(z.describe('Every row, and the start requests of its reviews, durable.'))),
  reviewsStartedAt: z.optional(Timestamp.check(z.describe('`immediately`: the last review the ingestion asked for started, at the system\'s pace.'))),
  releasedAt: z.optional(Timestamp),
  completedAt: z.optional(Timestamp),
});
type _Batch = Assert<Agrees<z.infer<typeof Batch>, BatchView>>;

export const ManifestUploadView = z.strictObject({
  uploadUrl: z.url(),
  method: z.literal('PUT'),
  headers: z.record(z.string(), z.string()),
  expiresAt: Timestamp,
});
type _ManifestUpload = Assert<Agrees<z.infer<typeof ManifestUploadView>, ManifestUpload>>;

/** A CSV batch: where to PUT its manifest, while it has not arrived (also on a replay, with a fresh URL). */
export const BatchWithUpload = z.strictObject({ ...Batch.shape, upload: z.optional(ManifestUploadView) });

export const BatchList = pageOf(Batch);

export const BatchRelease = z.strictObject({
  batchId: z.string(),
  submitted: Count.check(z.describe('Drafts submitted by this call (their reviews started).')),
  waiting: Count.check(z.describe('Drafts still missing files, marked `submitWhenComplete`.')),
  skipped: Count.check(z.describe('Applications of the page that were not drafts, or changed meanwhile.')),
  nextCursor: z.optional(z.string().check(z.describe('Present while the batch has more applications: send it back as `cursor`.'))),
});
type _BatchRelease = Assert<Agrees<z.infer<typeof BatchRelease>, BatchReleasePage>>;

export const BatchReport = z.strictObject({
  url: z.url().check(z.describe('A short-lived GET of the per-row report (CSV).')),
  expiresAt: Timestamp,
  rows: Count,
});
type _BatchReport = Assert<Agrees<z.infer<typeof BatchReport>, Awaited<ReturnType<typeof getBatchReport>>>>;

export const SharedEvidence = z.strictObject({
  evidenceId: z.string(),
  kind: EvidenceKind,
  contentType: EvidenceContentType,
  contentLength: z.number().check(z.int(), z.positive()),
  status: z.enum(['pending_upload', 'accepted', 'rejected']),
  sha256: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
  rejectionReason: z.optional(z.string()),
  createdAt: Timestamp,
  checkedAt: z.optional(Timestamp),
});
type _SharedEvidence = Assert<Agrees<z.infer<typeof SharedEvidence>, ReturnType<typeof sharedEvidenceView>>>;
// The record's fields the view passes on are the record's own.
type _SharedEvidenceRecord = Assert<Agrees<Pick<SharedEvidenceRecord, 'status' | 'kind'>, Pick<z.infer<typeof SharedEvidence>, 'status' | 'kind'>>>;
