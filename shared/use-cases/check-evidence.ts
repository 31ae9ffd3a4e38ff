import { ConflictError } from '../domain/errors.ts';
import { checkEvidenceFile, EVIDENCE_HEAD_BYTES } from '../domain/evidence-matrix.ts';
import { log } from '../log.ts';
import type { Evidence, OutboxEvent } from '../domain/records.ts';
import { eventFor } from '../domain/status-change.ts';
import type { Deps } from '../ports/deps.ts';
import { missingEvidence } from './application-view.ts';
import { parseEvidenceObjectKey } from './create-evidence-upload.ts';
import { reviewRunName, submitDraft } from './submit-application.ts';

/**
 * Checks an uploaded evidence file (S3 ObjectCreated).
 *
 * Primary course:
 * 1. Find the evidence record from the object key; ignore objects that are not pending evidence (S3 may deliver an
 *    event twice, and a record checked once stays as it was).
 * 2. Read the size and the first `EVIDENCE_HEAD_BYTES`; the size must be the declared one, and the file must pass
 *    `checkEvidenceFile` for its kind under the agency's evidence policy: type by magic number matching the declared
 *    one, size limit, and for licence and ID scans the minimum resolution and colour read from the image header.
 * 3. Hash the content (SHA-256) and mark the evidence accepted, or rejected with the reason and an
 *    `application.evidence_rejected` event, so the customer learns to upload it again without polling.
 * 4. An accepted file that completes a draft marked `submitWhenComplete` (a row of a batch submitted `immediately`)
 *    submits it, exactly as `POST …/submit` would. A check delivered again finishes that step if a crash cut it short.
 */
export async function checkEvidence(
  deps: Pick<Deps, 'applications' | 'evidence' | 'review' | 'clock' | 'ids' | 'settings' | 'metrics'>,
  objectKey: string,
): Promise<{ status: 'accepted' | 'rejected' | 'ignored'; reason?: string; code?: string; submitted?: true }> {
  const ids = parseEvidenceObjectKey(objectKey);
  if (!ids) return { status: 'ignored', reason: 'not an evidence key' };
  const evidence = await deps.applications.getEvidence(ids.applicationId, ids.evidenceId);
  if (!evidence || evidence.tenantId !== ids.tenantId || evidence.status !== 'pending_upload') {
    if (evidence?.tenantId === ids.tenantId && evidence.status === 'accepted') await submitWhenComplete(deps, evidence.applicationId);
    return { status: 'ignored', reason: 'no pending evidence for this key' };
  }
  const object = await deps.evidence.head(objectKey, EVIDENCE_HEAD_BYTES);
  if (!object) return { status: 'ignored', reason: 'object is gone' };

  let problem: { code: string; message: string } | undefined;
  if (object.size !== evidence.contentLength) {
    problem = {
      code: 'size_mismatch',
      message: `The file is ${object.size} bytes but was declared as ${evidence.contentLength}; request a new upload URL with the right size.`,
    };
  } else {
    const check = checkEvidenceFile(
      evidence.kind,
      { declaredContentType: evidence.contentType, size: object.size, head: object.head },
      deps.settings.evidencePolicy,
    );
    if (!check.ok) problem = { code: check.code, message: check.message };
  }

  const checkedAt = deps.clock.now().toISOString();
  const sha256 = problem ? undefined : await deps.evidence.sha256(objectKey);
  const changed = await deps.applications.completeEvidenceCheck(
    {
      ...evidence,
      status: problem ? 'rejected' : 'accepted',
      checkedAt,
      ...(sha256 ? { sha256 } : {}),
      ...(problem ? { rejectionReason: problem.message, rejectionCode: problem.code } : {}),
    },
    problem ? await evidenceRejectedEvent(deps, evidence, problem, checkedAt) : undefined,
  );
  if (!changed) return { status: 'ignored', reason: 'already checked' };
  log.info('evidence checked', { applicationId: evidence.applicationId, evidenceId: evidence.evidenceId, problem: problem?.code });
  if (problem) return { status: 'rejected', reason: problem.message, code: problem.code };
  return (await submitWhenComplete(deps, evidence.applicationId)) ? { status: 'accepted', submitted: true } : { status: 'accepted' };
}

/**
 * Submits a draft marked `submitWhenComplete` once no required evidence is missing; true when it did. Two checks
 * completing it at once (or the customer's own submit) race on the application's version: one submission wins, the
 * others find it submitted. A draft already submitted by a check that crashed before starting its review has the
 * review started (the same run: a start of it again joins it).
 */
async function submitWhenComplete(deps: Pick<Deps, 'applications' | 'review' | 'clock' | 'ids' | 'metrics'>, applicationId: string): Promise<boolean> {
  const app = await deps.applications.get(applicationId);
  if (!app?.submitWhenComplete || app.attempt !== 1) return false;
  if (app.status === 'submitted') {
    await deps.review.start({ applicationId: app.id, tenantId: app.tenantId, name: reviewRunName(app) });
    return false;
  }
  if (app.status !== 'draft' || missingEvidence(app, await deps.applications.listEvidence(app)).length > 0) return false;
  try {
    await submitDraft(deps, app);
  } catch (error) {
    if (error instanceof ConflictError) return false; // submitted (or withdrawn) meanwhile by another caller
    throw error;
  }
  log.info('draft submitted: its evidence is complete', { applicationId: app.id });
  return true;
}

/** The event that tells the customer a file was refused, and why. */
async function evidenceRejectedEvent(
  deps: Pick<Deps, 'applications' | 'ids'>,
  evidence: Evidence,
  problem: { code: string; message: string },
  at: string,
): Promise<OutboxEvent | undefined> {
  const app = await deps.applications.get(evidence.applicationId);
  if (!app) return undefined;
  const outbox = eventFor(app, 'application.evidence_rejected', deps.ids.next('evt'), at);
  outbox.event.data.evidence = { evidenceId: evidence.evidenceId, kind: evidence.kind, ...problem };
  return outbox;
}
