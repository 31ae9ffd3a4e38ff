import type { SharedEvidence } from '../../domain/batch.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { checkEvidenceFile, EVIDENCE_HEAD_BYTES } from '../../domain/evidence-matrix.ts';
import type { Principal } from '../../domain/records.ts';
import { log } from '../../log.ts';
import type { BatchDeps } from '../../ports/batch-services.ts';
import type { Deps } from '../../ports/deps.ts';
import { assertFileFitsItsKind, type EvidenceUploadInput, uploadOffer } from '../create-evidence-upload.ts';
import { batchObjectKeys, parseBatchEvidenceKey } from './batch-keys.ts';

/**
 * Shared evidence: one file (a subject's business licence, say) uploaded once and referenced by id from any number of
 * rows of the tenant's batches. It is checked like any evidence file when it lands; a row that references it gets an
 * accepted evidence record pointing at the same object, so the file is stored once however many applications use it.
 */

/** What the API shows of a shared evidence file. */
export function sharedEvidenceView(evidence: SharedEvidence) {
  return {
    evidenceId: evidence.evidenceId,
    kind: evidence.kind,
    contentType: evidence.contentType,
    contentLength: evidence.contentLength,
    status: evidence.status,
    ...(evidence.sha256 ? { sha256: evidence.sha256 } : {}),
    ...(evidence.rejectionReason ? { rejectionReason: evidence.rejectionReason } : {}),
    createdAt: evidence.createdAt,
    ...(evidence.checkedAt ? { checkedAt: evidence.checkedAt } : {}),
  };
}

/**
 * Hands out a presigned URL for one shared evidence file.
 *
 * Primary course:
 * 1. The declared type and size must fit the rules of its kind (evidence matrix, agency's evidence policy).
 * 2. Record it as `pending_upload` and presign a PUT bound to that type and length.
 * 3. When the object lands, `checkBatchEvidence` marks it accepted or rejected; rows may reference it once accepted.
 */
export async function createBatchEvidenceUpload(
  deps: Pick<Deps, 'evidence' | 'clock' | 'ids' | 'settings'> & Pick<BatchDeps, 'batches'>,
  principal: Principal,
  input: EvidenceUploadInput,
) {
  assertFileFitsItsKind(input, deps.settings.evidencePolicy);

  const now = deps.clock.now();
  const evidenceId = deps.ids.next('ev');
  const evidence: SharedEvidence = {
    evidenceId,
    tenantId: principal.tenantId,
    kind: input.kind,
    contentType: input.contentType,
    contentLength: input.contentLength,
    status: 'pending_upload',
    objectKey: batchObjectKeys.evidence(principal.tenantId, evidenceId),
    createdAt: now.toISOString(),
  };
  await deps.batches.putSharedEvidence(evidence);
  return uploadOffer(deps, { evidenceId, key: evidence.objectKey, contentType: input.contentType, contentLength: input.contentLength }, now);
}

export async function getBatchEvidence(deps: Pick<BatchDeps, 'batches'>, principal: Principal, evidenceId: string) {
  const evidence = await deps.batches.getSharedEvidence(principal.tenantId, evidenceId);
  if (!evidence) throw new NotFoundError(`No shared evidence ${evidenceId}.`);
  return sharedEvidenceView(evidence);
}

/**
 * Checks an uploaded shared evidence file (S3 ObjectCreated under `batch-evidence/`) with the same rules as an
 * application's evidence: declared size, type by magic number, size limit, resolution and colour for scans; then
 * hashes it and marks it accepted, or rejected with the reason. A file checked once stays as it was.
 */
export async function checkBatchEvidence(
  deps: Pick<Deps, 'evidence' | 'clock' | 'settings'> & Pick<BatchDeps, 'batches'>,
  objectKey: string,
): Promise<{ status: 'accepted' | 'rejected' | 'ignored'; reason?: string }> {
  const ids = parseBatchEvidenceKey(objectKey);
  if (!ids) return { status: 'ignored', reason: 'not a shared evidence key' };
  const evidence = await deps.batches.getSharedEvidence(ids.tenantId, ids.evidenceId);
  if (!evidence || evidence.status !== 'pending_upload') return { status: 'ignored', reason: 'no pending evidence for this key' };
  const object = await deps.evidence.head(objectKey, EVIDENCE_HEAD_BYTES);
  if (!object) return { status: 'ignored', reason: 'object is gone' };

  let problem: string | undefined;
  if (object.size !== evidence.contentLength) {
    problem = `The file is ${object.size} bytes but was declared as ${evidence.contentLength}; request a new upload URL with the right size.`;
  } else {
    const check = checkEvidenceFile(
      evidence.kind,
      { declaredContentType: evidence.contentType, size: object.size, head: object.head },
      deps.settings.evidencePolicy,
    );
    if (!check.ok) problem = check.message;
  }
  const sha256 = problem ? undefined : await deps.evidence.sha256(objectKey);
  const changed = await deps.batches.completeSharedEvidenceCheck({
    ...evidence,
    status: problem ? 'rejected' : 'accepted',
    checkedAt: deps.clock.now().toISOString(),
    ...(sha256 ? { sha256 } : {}),
    ...(problem ? { rejectionReason: problem } : {}),
  });
  if (!changed) return { status: 'ignored', reason: 'already checked' };
  log.info('shared evidence checked', { evidenceId: evidence.evidenceId, problem });
  return problem ? { status: 'rejected', reason: problem } : { status: 'accepted' };
}
