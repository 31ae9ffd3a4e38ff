import { ApplicationInput, ApplicationStatus } from '../domain/application.ts';
import { EvidenceContentType, EvidenceKind } from '../domain/evidence-matrix.ts';
import { ApplicationWarning, DescribedRejectionReason, EvidenceStatus, ReviewDeadlineRecord, TimelineEntry } from '../domain/records.ts';
import { VerifyingPerson } from '../domain/sms-verification.ts';
import * as z from '../zod.ts';
import type { UploadOffer } from '../use-cases/create-evidence-upload.ts';
import type { applicationDetailView, applicationView } from '../use-cases/application-view.ts';
import type { getApplicationEvidence } from '../use-cases/get-application-evidence.ts';
import type { Agrees, Assert } from './agree.ts';

/**
 * The answers of the application routes, as the API documents them (openapi.json). Built from the domain's schemas
 * where the answer repeats them (the application's own fields are its input's), and checked against the types of the
 * code that builds each answer (`Agrees`), so the two cannot drift apart. Only the document's generator and the tests
 * import this: no Lambda bundle carries it.
 */

/** An instant as the API writes it (`Date.prototype.toISOString()`, or an offset a client gave). */
export const Timestamp = z.iso.datetime({ offset: true });

export const SmsVerificationView = z.strictObject({
  by: VerifyingPerson,
  sentAt: Timestamp,
  expiresAt: Timestamp.check(z.describe('The code can be entered until then (24 hours after the text).')),
  maxAttempts: z.number().check(z.int(), z.positive()),
});

export const Application = z.strictObject({
  id: z.string().check(z.describe('`app_` and a ULID.')),
  status: ApplicationStatus,
  ...ApplicationInput.shape,
  batchId: z.optional(z.string().check(z.describe('The batch the application came in.'))),
  attempts: z.number().check(z.int(), z.minimum(1), z.describe('1 for the first submission, +1 for each resubmission.')),
  submitWhenComplete: z.optional(z.literal(true).check(z.describe('A batch draft that submits itself when its evidence is accepted.'))),
  requiredEvidence: z.array(EvidenceKind),
  rejectionReasons: z.array(DescribedRejectionReason),
  warnings: z.array(ApplicationWarning),
  reviewDeadline: z.optional(ReviewDeadlineRecord),
  smsVerification: z.optional(SmsVerificationView.check(z.describe('While under review, once the authority has texted the verification code.'))),
  siteProbe: z.optional(z.strictObject({ reachable: z.boolean(), checkedAt: Timestamp, detail: z.string() })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
type _Application = Assert<Agrees<z.infer<typeof Application>, ReturnType<typeof applicationView>>>;

export const EvidenceView = z.strictObject({
  evidenceId: z.string(),
  kind: EvidenceKind,
  contentType: EvidenceContentType,
  contentLength: z.number().check(z.int(), z.positive()),
  status: EvidenceStatus,
  sha256: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/), z.describe('Once accepted: the file\'s SHA-256, hex.'))),
  rejectionReason: z.optional(z.string()),
  rejectionCode: z.optional(z.string().check(z.describe('The rule the file broke (`content_type_mismatch`, `resolution_too_low`…).'))),
  createdAt: Timestamp,
  checkedAt: z.optional(Timestamp),
  shared: z.optional(z.literal(true).check(z.describe('Shared evidence (POST /v1/batch-evidence) the application references.'))),
});

/** `GET /v1/applications/{id}/evidence/{evidenceId}`: the file as the detail shows it, and a link to view it. */
export const EvidenceWithDownload = z.strictObject({
  ...EvidenceView.shape,
  download: z.strictObject({
    url: z.url().check(z.describe('A presigned GET of the file; it works until `expiresAt` and needs no key. Ask again for a new one.')),
    method: z.literal('GET'),
    disposition: z.enum(['inline', 'attachment']).check(
      z.describe('`inline` (an accepted file, served as its verified `contentType`) or `attachment` (a rejected one, served as `application/octet-stream`).'),
    ),
    expiresAt: Timestamp,
  }),
});
type _EvidenceWithDownload = Assert<Agrees<z.infer<typeof EvidenceWithDownload>, Awaited<ReturnType<typeof getApplicationEvidence>>>>;

export const TimelineEntryView = z.strictObject({ ...TimelineEntry.shape, at: Timestamp });

/** `GET /v1/applications/{id}`: the application with its evidence, what is still missing and its whole timeline. */
export const ApplicationDetail = z.strictObject({
  ...Application.shape,
  missingEvidence: z.array(EvidenceKind),
  evidence: z.array(EvidenceView),
  timeline: z.array(TimelineEntryView),
});
type _ApplicationDetail = Assert<Agrees<z.infer<typeof ApplicationDetail>, ReturnType<typeof applicationDetailView>>>;

/** A page of a list: `nextCursor` while there are more (send it back unchanged as `cursor`). */
export function pageOf<S extends z.core.$ZodType>(item: S) {
  return z.strictObject({ items: z.array(item), nextCursor: z.optional(z.string()) });
}

export const ApplicationList = pageOf(Application);

/** A presigned PUT: send the file to `uploadUrl` with exactly these headers before `expiresAt`. */
export const EvidenceUpload = z.strictObject({
  evidenceId: z.string(),
  uploadUrl: z.url(),
  method: z.literal('PUT'),
  headers: z.record(z.string(), z.string()),
  expiresAt: Timestamp,
});
type _EvidenceUpload = Assert<Agrees<z.infer<typeof EvidenceUpload>, UploadOffer>>;
