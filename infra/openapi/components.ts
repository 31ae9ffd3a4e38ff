import * as apiKeys from '../../shared/api/api-keys.ts';
import * as applications from '../../shared/api/applications.ts';
import * as batches from '../../shared/api/batches.ts';
import * as registry from '../../shared/api/filing-registry.ts';
import { FieldError, GatewayMessage, Problem } from '../../shared/api/problem.ts';
import * as webhooks from '../../shared/api/webhooks.ts';
import { ApiKeyInput, RotationInput } from '../../shared/domain/api-key.ts';
import { ApplicationInput, ApplicationStatus, CancellationKind, CancellationReason, CorrectionInput, SiteState, Subject, SubjectType } from '../../shared/domain/application.ts';
import { BatchEvent } from '../../shared/domain/batch-event.ts';
import { BatchItem, BatchStatus, BatchSubmitMode, CsvBatchInput, InlineBatchInput, MAX_INLINE_ITEMS } from '../../shared/domain/batch.ts';
import { EvidenceContentType, EvidenceKind } from '../../shared/domain/evidence-matrix.ts';
import { MiitRegistryRow, PlainRegistryRow, RegistryWebsite } from '../../shared/domain/filing-registry.ts';
import { ApplicationWarning, Decision, DescribedRejectionReason, DomainEvent, EventType, RejectionReason, ReviewDeadlineRecord } from '../../shared/domain/records.ts';
import { Bilingual, RejectionReasonCode } from '../../shared/domain/rejection-reasons.ts';
import { VerifyingPerson } from '../../shared/domain/sms-verification.ts';
import { EmptyBody } from '../../shared/http/api-gateway.ts';
import { MAX_REGISTRY_IMPORT_ROWS } from '../../shared/http/registry-import-body.ts';
import * as z from '../../shared/zod.ts';
import { BatchRelease as BatchReleaseInput } from '../../shared/use-cases/batches/release-batch.ts';
import { EvidenceUploadInput } from '../../shared/use-cases/create-evidence-upload.ts';
import { SmsVerificationNotice } from '../../shared/use-cases/record-sms-verification.ts';
import { WebhookEndpointInput } from '../../shared/use-cases/webhooks/manage-endpoints.ts';

/**
 * The named schemas of the document (`components.schemas`), by the name a generated client gives their types. Every
 * request body is the zod schema the handler parses it with; every answer is a schema of `shared/api/`. A schema
 * named here is written once and referenced (`$ref`) wherever it appears, in these and in the operations.
 */
export interface Component {
  schema: z.core.$ZodType;
  description?: string;
}

/** A batch's items as each is read during ingestion: an application body with optional shared evidence ids. */
const InlineBatchRequest = z.strictObject({ ...InlineBatchInput.shape, items: z.array(BatchItem).check(z.minLength(1), z.maxLength(MAX_INLINE_ITEMS)) });

/** The registry import's JSON body, with each record in one of the two shapes it is read with. */
const RegistryImportRequest = z.strictObject({
  records: z.array(z.union([PlainRegistryRow, MiitRegistryRow])).check(z.minLength(1), z.maxLength(MAX_REGISTRY_IMPORT_ROWS)),
});

/**
 * The members of `data` an application event always has beyond the common ones, and those it never has: a rejection
 * names its reasons (`eventFor`'s `reasons` in the workflow's decision and expiry tasks), a refused file its evidence
 * (`check-evidence.ts`), an SMS notice its verification (`record-sms-verification.ts`); no other event has any of them.
 */
const EVENT_EXTRAS = ['reasons', 'evidence', 'verification'] as const;
const EXTRAS_OF: Partial<Record<EventType, (typeof EVENT_EXTRAS)[number]>> = {
  'application.rejected': 'reasons',
  'application.rejected_final': 'reasons',
  'application.evidence_rejected': 'evidence',
  'application.verification_required': 'verification',
};

/** An application event's body: the outbox's schema with its `type` fixed, and its `data` as that type has it. */
function applicationEvent(type: EventType): z.core.$ZodType {
  const extra = EXTRAS_OF[type];
  const common = z.strictObject(z.omit(DomainEvent.shape.data, { reasons: true, evidence: true, verification: true }).shape);
  const data = extra === undefined ? common : z.extend(common, { [extra]: z.required(DomainEvent.shape.data).shape[extra] });
  return z.extend(DomainEvent, { type: z.literal(type), data });
}

/** Each event type's body, as the webhook sends it. */
export const EVENT_SCHEMAS: Readonly<Record<EventType, z.core.$ZodType>> = Object.fromEntries(
  EventType.options.map((type): [EventType, z.core.$ZodType] => [type, type === 'batch.completed' ? BatchEvent : applicationEvent(type)]),
) as Record<EventType, z.core.$ZodType>;

/** `application.rejected` → `ApplicationRejectedEvent`. */
export function eventSchemaName(type: EventType): string {
  return `${type.split(/[._]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}Event`;
}

export const COMPONENTS: Readonly<Record<string, Component>> = {
  // Shared parts
  Timestamp: { schema: applications.Timestamp, description: 'An instant, ISO 8601 with `Z` or an offset (`2026-11-20T08:00:00.000Z`).' },
  ApplicationStatus: { schema: ApplicationStatus, description: 'draft → submitted → under_review → approved, or → rejected → (resubmit) → submitted …; rejected_final, failed and withdrawn are final too.' },
  CancellationKind: { schema: CancellationKind },
  CancellationReason: { schema: CancellationReason },
  SubjectType: { schema: SubjectType },
  Subject: { schema: Subject },
  SiteState: { schema: SiteState, description: 'What became of the website: closed, or migrated to `target`, since the date given.' },
  EvidenceKind: { schema: EvidenceKind },
  EvidenceContentType: { schema: EvidenceContentType },
  EventType: { schema: EventType },
  BatchStatus: { schema: BatchStatus },
  BatchSubmitMode: { schema: BatchSubmitMode },
  VerifyingPerson: { schema: VerifyingPerson },
  Bilingual: { schema: Bilingual, description: 'A text in Chinese and English.' },
  RejectionReasonCode: { schema: RejectionReasonCode, description: 'The codes of the rejection catalogue; an authority may use others, shown with OTHER\'s texts.' },
  RejectionReason: { schema: RejectionReason, description: 'A reason as the operator records it: a code (see RejectionReasonCode) and the authority\'s own words.' },
  DescribedRejectionReason: { schema: DescribedRejectionReason, description: 'A recorded reason with the catalogue\'s title and fix hint for its code.' },
  ApplicationWarning: { schema: ApplicationWarning, description: 'Something to confirm about an application that was accepted all the same (`not_in_registry`…).' },
  ReviewDeadline: { schema: ReviewDeadlineRecord, description: 'The last day (China date) the authority has for the current attempt; `estimate` when the holiday calendar does not cover it.' },
  FieldError: { schema: FieldError },
  Problem: { schema: Problem, description: 'RFC 9457 problem details: every error the API answers.' },
  GatewayMessage: { schema: GatewayMessage, description: 'A refusal by API Gateway itself: a body over 10 MiB or an event over 6 MiB (413), its throttle (429), a function that failed or timed out (500).' },

  // Request bodies
  ApplicationInput: { schema: ApplicationInput, description: 'A cancellation application. Unknown fields are refused.' },
  ApplicationCorrection: { schema: CorrectionInput, description: 'Fields corrected at a resubmission; those left out stay as they were.' },
  EvidenceUploadRequest: { schema: EvidenceUploadInput, description: 'The file to upload: its kind, type and exact size (the presigned URL is bound to both).' },
  Decision: { schema: Decision, description: 'The authority\'s decision, as the operator records it.' },
  SmsVerificationNotice: { schema: SmsVerificationNotice, description: 'When 12381 texted the verification code (default: now).' },
  WebhookEndpointInput: { schema: WebhookEndpointInput, description: 'An https URL (http and loopback only where the local runtime allows them) and the event types to send (all when left out).' },
  BatchItem: { schema: BatchItem, description: 'One row: an application body, with shared evidence (`POST /v1/batch-evidence`) to attach. Each row is validated on its own during ingestion: a bad row is reported in the batch\'s report, not refused here.' },
  InlineBatchRequest: { schema: InlineBatchRequest, description: 'Up to 1,000 rows inline. `submit` (default `immediately`) or `hold` (`hold: true` is `submit: "hold"`).' },
  CsvBatchRequest: { schema: CsvBatchInput, description: 'A CSV manifest of up to 100,000 rows, PUT afterwards to the answer\'s `upload.uploadUrl`.' },
  CreateBatchRequest: { schema: z.union([InlineBatchRequest, CsvBatchInput]), description: 'Inline `items`, or `format: "csv"` for a manifest uploaded afterwards.' },
  BatchReleaseRequest: { schema: BatchReleaseInput, description: 'Where the previous call stopped (its `nextCursor`), if anywhere.' },
  FilingRegistryRow: { schema: PlainRegistryRow, description: 'A registry row of our own shape. Unknown members are ignored; lists may be one string separated by spaces, commas, semicolons, 、 or |.' },
  MiitRegistryRow: { schema: MiitRegistryRow, description: 'A row of MIIT\'s public query export (one row per domain).' },
  RegistryImportRequest: { schema: RegistryImportRequest, description: 'Filing records to import (an upsert by filing number); each record is read on its own, and a bad one is reported, not fatal.' },
  EmptyBody: { schema: EmptyBody, description: 'No body, or `{}`.' },
  ApiKeyRequest: { schema: ApiKeyInput, description: 'A label for the new key, if any; the scope is `agency` (an agency key makes no operator key).' },
  ApiKeyRotationRequest: { schema: RotationInput, description: 'How long the old key keeps working beside the new one, in seconds (0 ends it at once).' },

  // Answers
  Application: { schema: applications.Application },
  ApplicationDetail: { schema: applications.ApplicationDetail },
  ApplicationList: { schema: applications.ApplicationList },
  Evidence: { schema: applications.EvidenceView },
  EvidenceWithDownload: { schema: applications.EvidenceWithDownload },
  TimelineEntry: { schema: applications.TimelineEntryView },
  SmsVerification: { schema: applications.SmsVerificationView },
  EvidenceUpload: { schema: applications.EvidenceUpload },
  Batch: { schema: batches.Batch },
  BatchWithUpload: { schema: batches.BatchWithUpload },
  ManifestUpload: { schema: batches.ManifestUploadView },
  BatchList: { schema: batches.BatchList },
  BatchRelease: { schema: batches.BatchRelease },
  BatchReport: { schema: batches.BatchReport },
  SharedEvidence: { schema: batches.SharedEvidence },
  WebhookEndpoint: { schema: webhooks.WebhookEndpoint },
  WebhookEndpointWithSecret: { schema: webhooks.WebhookEndpointWithSecret },
  WebhookEndpointList: { schema: webhooks.WebhookEndpointList },
  WebhookDelivery: { schema: webhooks.WebhookDelivery },
  WebhookDeliveryAttempt: { schema: webhooks.WebhookDeliveryAttempt },
  WebhookDeliveryDetail: { schema: webhooks.WebhookDeliveryDetail },
  WebhookDeliveryList: { schema: webhooks.WebhookDeliveryList },
  RegistryImportReport: { schema: registry.RegistryImport },
  FilingRecord: { schema: registry.FilingRecord },
  FilingRecordWebsite: { schema: RegistryWebsite },
  ApiKeyStatus: { schema: apiKeys.ApiKeyStatus },
  ApiKey: { schema: apiKeys.ApiKey, description: 'An API key as listed: never the key, never its hash.' },
  ApiKeyList: { schema: apiKeys.ApiKeyList },
  IssuedApiKey: { schema: apiKeys.IssuedApiKey, description: 'A new key, with the key itself this once.' },
  RotatedApiKey: { schema: apiKeys.RotatedApiKey, description: 'The successor of a rotated key, with the key itself this once, and the key it replaces.' },
  RevokedApiKey: { schema: apiKeys.RevokedApiKey },

  // Webhook payloads
  ...Object.fromEntries(EventType.options.map((type) => [eventSchemaName(type), { schema: EVENT_SCHEMAS[type], description: `The body of \`${type}\`.` }])),
};
