import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../../shared/domain/errors.ts';
import type { Principal } from '../../../shared/domain/records.ts';
import { checkEvidence } from '../../../shared/use-cases/check-evidence.ts';
import { createApplication } from '../../../shared/use-cases/create-application.ts';
import { createEvidenceUpload } from '../../../shared/use-cases/create-evidence-upload.ts';
import { EVIDENCE_VIEW_URL_TTL_SECONDS, getApplicationEvidence } from '../../../shared/use-cases/get-application-evidence.ts';
import { acceptedSharedEvidence, type BatchTestDeps, batchTestDeps } from '../batches/support.ts';
import { websiteApplication } from './support/fixtures.ts';
import { agency, operatorOf, withLocalTable } from './support/local-deps.ts';

/** A PDF of `size` bytes: `%PDF-` and zeros (the check looks at its first bytes only). */
const pdf = (size = 2048) => {
  const bytes = new Uint8Array(size);
  bytes.set(new TextEncoder().encode('%PDF-1.7\n'));
  return bytes;
};

/** What the in-memory evidence store signed, read back from its URL. */
function signed(url: string) {
  const parsed = new URL(url);
  return { key: decodeURIComponent(parsed.pathname.slice(1)), ...Object.fromEntries(parsed.searchParams) };
}

describe('an evidence file with its view link', { timeout: 30_000 }, () => {
  let deps: BatchTestDeps;
  withLocalTable((table) => {
    deps = batchTestDeps(table);
  });

  /** A draft website cancellation with one closure proof uploaded and checked (or only declared, `land: false`). */
  async function withEvidence(principal: Principal, bytes: Uint8Array, land = true) {
    const { app } = await createApplication(deps, principal, websiteApplication());
    const declared = await createEvidenceUpload(deps, principal, app.id, { kind: 'closure_proof', contentType: 'application/pdf', contentLength: bytes.length });
    const key = `evidence/${principal.tenantId}/${app.id}/${declared.evidenceId}`;
    if (land) {
      deps.objects.set(key, bytes);
      await checkEvidence(deps, key);
    }
    return { app, evidenceId: declared.evidenceId, key };
  }

  it('signs a GET of an accepted file, shown inline as its verified type, for minutes, as of the real time', async () => {
    // Prepare: business time two days ahead of the machine's, to tell the clocks apart.
    const principal = agency();
    const { app, evidenceId, key } = await withEvidence(principal, pdf());
    const wall = new Date('2026-03-02T02:00:00.000Z');
    const atDeps = { ...deps, clock: { now: () => new Date('2026-03-04T09:30:00.000Z'), wallNow: () => wall } };

    // Act
    const view = await getApplicationEvidence(atDeps, principal, app.id, evidenceId);

    // Assess
    expect(view).toMatchObject({ evidenceId, kind: 'closure_proof', contentType: 'application/pdf', status: 'accepted', sha256: 'a'.repeat(64) });
    expect(view).not.toHaveProperty('objectKey');
    expect(view.download).toMatchObject({ method: 'GET', disposition: 'inline', expiresAt: '2026-03-04T09:35:00.000Z' });
    expect(signed(view.download.url)).toEqual({
      key,
      contentType: 'application/pdf',
      contentDisposition: `inline; filename="${evidenceId}.pdf"`,
      expiresInSeconds: String(EVIDENCE_VIEW_URL_TTL_SECONDS),
      signedAt: wall.toISOString(),
    });
  });

  it('answers the tenant\'s operator key as its agency key', async () => {
    // Prepare
    const principal = agency();
    const { app, evidenceId } = await withEvidence(principal, pdf());

    // Act
    const view = await getApplicationEvidence(deps, operatorOf(principal), app.id, evidenceId);

    // Assess
    expect(view.download.disposition).toBe('inline');
  });

  it('hands a rejected file out as an attachment of no particular type (its type is unverified)', async () => {
    // Prepare: declared a PDF, lands as something else.
    const principal = agency();
    const { app, evidenceId } = await withEvidence(principal, new TextEncoder().encode('<html><script>alert(1)</script></html>'));

    // Act
    const view = await getApplicationEvidence(deps, principal, app.id, evidenceId);

    // Assess
    expect(view).toMatchObject({ status: 'rejected', rejectionCode: 'unrecognised_content' });
    expect(view.download.disposition).toBe('attachment');
    expect(signed(view.download.url)).toMatchObject({ contentType: 'application/octet-stream', contentDisposition: `attachment; filename="${evidenceId}.pdf"` });
  });

  it('refuses a file not uploaded yet with 409 and what to do, signing nothing', async () => {
    // Prepare
    const principal = agency();
    const { app, evidenceId } = await withEvidence(principal, pdf(), false);

    // Act
    const error = await getApplicationEvidence(deps, principal, app.id, evidenceId).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ extensions: { evidenceStatus: 'pending_upload' }, errors: [{ path: '(path).evidenceId', code: 'not_uploaded' }] });
  });

  it('answers 404 for another tenant\'s application or evidence, and for an id the application does not have', async () => {
    // Prepare
    const owner = agency();
    const { app, evidenceId } = await withEvidence(owner, pdf());
    const other = await withEvidence(agency(), pdf());
    let presigned = 0;
    const counting = { ...deps, evidence: { ...deps.evidence, presignDownload: async () => `http://evidence.invalid/${++presigned}` } };

    // Act
    const refusals = await Promise.all([
      getApplicationEvidence(counting, agency(), app.id, evidenceId).catch((e: unknown) => e),
      getApplicationEvidence(counting, operatorOf(agency()), app.id, evidenceId).catch((e: unknown) => e),
      // The owner's application, another tenant's evidence id.
      getApplicationEvidence(counting, owner, app.id, other.evidenceId).catch((e: unknown) => e),
      getApplicationEvidence(counting, owner, app.id, 'ev_missing').catch((e: unknown) => e),
    ]);

    // Assess
    for (const refusal of refusals) expect(refusal).toBeInstanceOf(NotFoundError);
    expect(presigned).toBe(0);
  });

  it('links shared evidence the application references, under its own key', async () => {
    // Prepare
    const principal = agency();
    const { app } = await withEvidence(principal, pdf());
    const shared = await acceptedSharedEvidence(deps, principal.tenantId, 'closure_proof');
    await deps.applications.update(app, { sharedEvidence: [shared.evidenceId] });

    // Act
    const view = await getApplicationEvidence(deps, principal, app.id, shared.evidenceId);

    // Assess
    expect(view).toMatchObject({ evidenceId: shared.evidenceId, shared: true, status: 'accepted' });
    expect(signed(view.download.url)).toMatchObject({ key: `batch-evidence/${principal.tenantId}/${shared.evidenceId}`, contentType: 'application/pdf' });
  });
});
