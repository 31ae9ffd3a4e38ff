import { ConflictError, NotFoundError } from '../domain/errors.ts';
import type { EvidenceContentType } from '../domain/evidence-matrix.ts';
import type { Evidence, Principal } from '../domain/records.ts';
import type { Deps } from '../ports/deps.ts';
import { evidenceView } from './application-view.ts';
import { loadOwnedApplication } from './load-owned-application.ts';

/**
 * How long a view link works, in seconds: long enough to open it (the console asks for one at each click), short
 * enough that a link copied out of a browser's history or a log soon opens nothing.
 */
export const EVIDENCE_VIEW_URL_TTL_SECONDS = 300;

const EXTENSIONS: Readonly<Record<EvidenceContentType, string>> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };

/** A presigned GET of the file: how the browser is told to show it, and until when the URL works. */
export interface EvidenceDownload {
  url: string;
  method: 'GET';
  /** `inline` for an accepted file (its type verified), `attachment` for a rejected one (its type unverified). */
  disposition: 'inline' | 'attachment';
  expiresAt: string;
}

/**
 * One evidence file of an application, as the application's detail shows it, with a short-lived link to view it.
 *
 * Primary course:
 * 1. The application must be the tenant's (another tenant's, like a missing one, is a 404), and the evidence one of
 *    its own uploads or of the shared files it references (404 otherwise). Nothing is signed for either.
 * 2. A file still `pending_upload` has no object yet: 409, with the status and what to do.
 * 3. An accepted file is served `inline` as the type the check verified (its first bytes matched it), so the browser
 *    shows it; a rejected one (an operator may want to see what was refused) as `application/octet-stream`, an
 *    `attachment`: its declared type may be what it broke, and a browser must not render it as that.
 * 4. Presign a GET valid {@link EVIDENCE_VIEW_URL_TTL_SECONDS}: the function reads no object, the URL does.
 */
export async function getApplicationEvidence(
  deps: Pick<Deps, 'applications' | 'evidence' | 'clock'>,
  principal: Principal,
  applicationId: string,
  evidenceId: string,
): Promise<ReturnType<typeof evidenceView> & { download: EvidenceDownload }> {
  const app = await loadOwnedApplication(deps, principal.tenantId, applicationId);
  const evidence = (await deps.applications.listEvidence(app)).find((e) => e.evidenceId === evidenceId);
  if (!evidence) throw new NotFoundError(`Application ${applicationId} has no evidence ${evidenceId}.`);
  if (evidence.status === 'pending_upload') {
    throw new ConflictError(`Evidence ${evidenceId} has not been uploaded yet: there is nothing to view.`, {
      extensions: { evidenceStatus: evidence.status },
      errors: [
        {
          path: '(path).evidenceId',
          code: 'not_uploaded',
          message: 'PUT the file to the uploadUrl that POST /v1/applications/{id}/evidence answered (a new one if it expired); it can be viewed once its check has accepted or rejected it.',
        },
      ],
    });
  }
  return { ...evidenceView(evidence), download: await viewLink(deps, evidence) };
}

async function viewLink(deps: Pick<Deps, 'evidence' | 'clock'>, evidence: Evidence): Promise<EvidenceDownload> {
  const accepted = evidence.status === 'accepted';
  const disposition = accepted ? 'inline' : 'attachment';
  // Ids are ULIDs with a prefix: nothing to quote or escape in the file name.
  const fileName = `${evidence.evidenceId}.${EXTENSIONS[evidence.contentType]}`;
  const url = await deps.evidence.presignDownload({
    key: evidence.objectKey,
    contentType: accepted ? evidence.contentType : 'application/octet-stream',
    contentDisposition: `${disposition}; filename="${fileName}"`,
    expiresInSeconds: EVIDENCE_VIEW_URL_TTL_SECONDS,
    signedAt: deps.clock.wallNow(),
  });
  // Like every presigned URL's `expiresAt`, on the business clock (README, "Another day").
  return { url, method: 'GET', disposition, expiresAt: new Date(deps.clock.now().getTime() + EVIDENCE_VIEW_URL_TTL_SECONDS * 1000).toISOString() };
}
