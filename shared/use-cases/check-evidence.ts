import { EVIDENCE_RULES } from '../domain/evidence-matrix.ts';
import { log } from '../log.ts';
import type { Deps } from '../ports/deps.ts';
import { parseEvidenceObjectKey } from './create-evidence-upload.ts';

/** Magic numbers of the accepted file types. */
const SIGNATURES: { type: string; bytes: number[] }[] = [
  { type: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
];

export function sniffContentType(head: Uint8Array): string | undefined {
  return SIGNATURES.find((s) => s.bytes.every((b, i) => head[i] === b))?.type;
}

/**
 * Checks an uploaded evidence file (S3 ObjectCreated).
 *
 * Primary course:
 * 1. Find the evidence record from the object key; ignore objects that are not pending evidence (S3 may deliver an
 *    event twice, and a record checked once stays as it was).
 * 2. Read the size and the first bytes; the real type (magic bytes) must be the declared one and allowed for the kind,
 *    the size the declared one and within the kind's limit.
 * 3. Hash the content (SHA-256) and mark the evidence accepted, or rejected with the reason.
 */
export async function checkEvidence(
  deps: Pick<Deps, 'applications' | 'evidence' | 'clock'>,
  objectKey: string,
): Promise<{ status: 'accepted' | 'rejected' | 'ignored'; reason?: string }> {
  const ids = parseEvidenceObjectKey(objectKey);
  if (!ids) return { status: 'ignored', reason: 'not an evidence key' };
  const evidence = await deps.applications.getEvidence(ids.applicationId, ids.evidenceId);
  if (!evidence || evidence.tenantId !== ids.tenantId || evidence.status !== 'pending_upload') {
    return { status: 'ignored', reason: 'no pending evidence for this key' };
  }
  const object = await deps.evidence.head(objectKey, 16);
  if (!object) return { status: 'ignored', reason: 'object is gone' };

  const rule = EVIDENCE_RULES[evidence.kind];
  const sniffed = sniffContentType(object.head);
  let reason: string | undefined;
  if (object.size !== evidence.contentLength) reason = `size ${object.size} differs from the declared ${evidence.contentLength}`;
  else if (object.size > rule.maxBytes) reason = `larger than ${rule.maxBytes} bytes`;
  else if (!sniffed) reason = 'not a PDF, JPEG or PNG file (by its content)';
  else if (sniffed !== evidence.contentType) reason = `content is ${sniffed}, declared ${evidence.contentType}`;
  else if (!(rule.contentTypes as readonly string[]).includes(sniffed)) reason = `${sniffed} is not accepted for ${evidence.kind}`;

  const checkedAt = deps.clock.now().toISOString();
  const sha256 = reason ? undefined : await deps.evidence.sha256(objectKey);
  const changed = await deps.applications.completeEvidenceCheck({
    ...evidence,
    status: reason ? 'rejected' : 'accepted',
    checkedAt,
    ...(sha256 ? { sha256 } : {}),
    ...(reason ? { rejectionReason: reason } : {}),
  });
  if (!changed) return { status: 'ignored', reason: 'already checked' };
  log.info('evidence checked', { applicationId: evidence.applicationId, evidenceId: evidence.evidenceId, reason });
  return reason ? { status: 'rejected', reason } : { status: 'accepted' };
}
