import * as z from '../zod.ts';
import { ConflictError, ValidationError } from '../domain/errors.ts';
import { EvidenceContentType, EvidenceKind, evidenceRule } from '../domain/evidence-matrix.ts';
import type { Evidence, Principal } from '../domain/records.ts';
import type { Deps, Settings } from '../ports/deps.ts';
import { loadOwnedApplication } from './load-owned-application.ts';

export const EvidenceUploadInput = z.strictObject({
  kind: EvidenceKind,
  contentType: EvidenceContentType,
  contentLength: z.number().check(z.int(), z.positive('must be the file size in bytes')),
});
export type EvidenceUploadInput = z.infer<typeof EvidenceUploadInput>;

/** The S3 key of an evidence file; the upload check parses it back. */
export function evidenceObjectKey(tenantId: string, applicationId: string, evidenceId: string): string {
  return `evidence/${tenantId}/${applicationId}/${evidenceId}`;
}

export function parseEvidenceObjectKey(key: string): { tenantId: string; applicationId: string; evidenceId: string } | undefined {
  const match = /^evidence\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(key);
  return match ? { tenantId: match[1] as string, applicationId: match[2] as string, evidenceId: match[3] as string } : undefined;
}

/**
 * The declared type and size must fit the rules of the evidence kind under the agency's policy (400 otherwise, naming
 * both problems at once). Checked before a presigned URL is handed out, for single and shared (batch) evidence alike.
 */
export function assertFileFitsItsKind(input: EvidenceUploadInput, policy: Settings['evidencePolicy']): void {
  const rule = evidenceRule(input.kind, policy);
  const errors = [];
  if (!rule.contentTypes.includes(input.contentType)) {
    errors.push({
      path: 'contentType',
      code: 'content_type_not_allowed',
      message: `The ${rule.title.en} (${input.kind}, ${rule.title.zh}) must be one of ${rule.contentTypes.join(', ')}; convert the file and try again.`,
    });
  }
  if (input.contentLength > rule.maxBytes) {
    errors.push({
      path: 'contentLength',
      code: 'too_large',
      message: `The ${rule.title.en} (${input.kind}) may be at most ${rule.maxBytes} bytes (${rule.maxBytes / (1024 * 1024)} MiB); scan at a lower resolution or compress it.`,
    });
  }
  if (errors.length > 0) throw new ValidationError('The file does not fit the rules of its kind.', { errors });
}

/**
 * Hands out a presigned URL for one evidence file.
 *
 * Primary course:
 * 1. The application must be the tenant's and still open to evidence (draft, or rejected and awaiting correction).
 * 2. The file's declared type and size must fit the rules of its kind (evidence matrix) under the agency's evidence
 *    policy (`EVIDENCE_SIZE_LIMIT=strict`: 1 MiB).
 * 3. Record the evidence as `pending_upload` and presign a PUT bound to that type and length, valid for minutes.
 * 4. When the object lands, `checkEvidence` sniffs and hashes it and marks it accepted or rejected.
 */
export async function createEvidenceUpload(
  deps: Pick<Deps, 'applications' | 'evidence' | 'clock' | 'ids' | 'settings'>,
  principal: Principal,
  applicationId: string,
  input: EvidenceUploadInput,
): Promise<UploadOffer> {
  const app = await loadOwnedApplication(deps, principal.tenantId, applicationId);
  if (app.status !== 'draft' && app.status !== 'rejected') {
    throw new ConflictError(`Evidence can be added to a draft or a rejected application; this one is ${app.status}.`, {
      extensions: { applicationStatus: app.status },
    });
  }
  assertFileFitsItsKind(input, deps.settings.evidencePolicy);

  const now = deps.clock.now();
  const evidenceId = deps.ids.next('ev');
  const objectKey = evidenceObjectKey(app.tenantId, app.id, evidenceId);
  const evidence: Evidence = {
    evidenceId,
    applicationId: app.id,
    tenantId: app.tenantId,
    kind: input.kind,
    contentType: input.contentType,
    contentLength: input.contentLength,
    status: 'pending_upload',
    objectKey,
    createdAt: now.toISOString(),
  };
  await deps.applications.putEvidence(evidence);
  return uploadOffer(deps, { evidenceId, key: objectKey, contentType: input.contentType, contentLength: input.contentLength }, now);
}

/** What an upload answers with, for an application's evidence as for shared evidence. */
export interface UploadOffer {
  evidenceId: string;
  uploadUrl: string;
  expiresAt: string;
  method: 'PUT';
  headers: Record<string, string>;
}

/** A presigned PUT of `key` bound to the declared type and length, valid `uploadUrlTtlSeconds`, and how to send it. */
export async function uploadOffer(
  deps: Pick<Deps, 'evidence' | 'settings'>,
  file: { evidenceId: string; key: string; contentType: EvidenceContentType; contentLength: number },
  now: Date,
): Promise<UploadOffer> {
  const ttl = deps.settings.uploadUrlTtlSeconds;
  const uploadUrl = await deps.evidence.presignUpload({
    key: file.key,
    contentType: file.contentType,
    contentLength: file.contentLength,
    expiresInSeconds: ttl,
  });
  return {
    evidenceId: file.evidenceId,
    uploadUrl,
    method: 'PUT',
    headers: { 'content-type': file.contentType, 'content-length': String(file.contentLength) },
    expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
  };
}
