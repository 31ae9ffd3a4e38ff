import type { Application, Evidence, TimelineEntry } from '../domain/records.ts';
import type { EvidenceKind } from '../domain/evidence-matrix.ts';
import { describeRejection } from '../domain/rejection-reasons.ts';
import { SMS_VERIFICATION_ATTEMPTS, type SmsVerification } from '../domain/sms-verification.ts';

/** Evidence kinds still lacking an accepted file. */
export function missingEvidence(app: Application, evidence: Evidence[]): EvidenceKind[] {
  const accepted = new Set(evidence.filter((e) => e.status === 'accepted').map((e) => e.kind));
  return app.requiredEvidence.filter((kind) => !accepted.has(kind));
}

/** The SMS verification of the current review as the API and the webhook show it. */
export function smsVerificationView(v: SmsVerification) {
  return { by: v.by, sentAt: v.sentAt, expiresAt: v.expiresAt, maxAttempts: SMS_VERIFICATION_ATTEMPTS };
}

/** What the API shows of an application: never the workflow's task tokens or internal counters. */
export function applicationView(app: Application) {
  return {
    id: app.id,
    status: app.status,
    kind: app.kind,
    filingNumber: app.filingNumber,
    websiteName: app.websiteName,
    domains: app.domains,
    subject: app.subject,
    reason: app.reason,
    siteState: app.siteState,
    ...(app.customerRef === undefined ? {} : { customerRef: app.customerRef }),
    ...(app.batchId === undefined ? {} : { batchId: app.batchId }),
    attempts: app.attempt,
    ...(app.submitWhenComplete && app.status === 'draft' ? { submitWhenComplete: true as const } : {}),
    requiredEvidence: app.requiredEvidence,
    // Each with the catalogue's title and fix hint (zh/en) for its code.
    rejectionReasons: app.rejectionReasons.map(describeRejection),
    warnings: app.warnings ?? [],
    ...(app.reviewDeadline === undefined ? {} : { reviewDeadline: app.reviewDeadline }),
    ...(app.smsVerification?.attempt === app.attempt && app.status === 'under_review' ? { smsVerification: smsVerificationView(app.smsVerification) } : {}),
    ...(app.probe === undefined ? {} : { siteProbe: app.probe }),
    createdAt: app.createdAt,
    updatedAt: app.updatedAt,
  };
}
export type ApplicationView = ReturnType<typeof applicationView>;

/** `GET /v1/applications/{id}`: the application with its evidence, what is still missing, and its whole timeline. */
export function applicationDetailView(app: Application, evidence: Evidence[], timeline: TimelineEntry[]) {
  return {
    ...applicationView(app),
    missingEvidence: missingEvidence(app, evidence),
    evidence: evidence.map(evidenceView),
    timeline,
  };
}

/** One evidence file as the API shows it: never its object key (tenant and ids, and nothing a client may use). */
export function evidenceView(e: Evidence) {
  return {
    evidenceId: e.evidenceId,
    kind: e.kind,
    contentType: e.contentType,
    contentLength: e.contentLength,
    status: e.status,
    ...(e.sha256 === undefined ? {} : { sha256: e.sha256 }),
    ...(e.rejectionReason === undefined ? {} : { rejectionReason: e.rejectionReason }),
    ...(e.rejectionCode === undefined ? {} : { rejectionCode: e.rejectionCode }),
    createdAt: e.createdAt,
    ...(e.checkedAt === undefined ? {} : { checkedAt: e.checkedAt }),
    ...(e.shared ? { shared: true as const } : {}),
  };
}
