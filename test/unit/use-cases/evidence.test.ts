import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors.ts';
import type { EvidenceContentType, EvidenceKind, EvidencePolicy } from '../../../shared/domain/evidence-matrix.ts';
import type { Principal } from '../../../shared/domain/records.ts';
import { checkEvidence } from '../../../shared/use-cases/check-evidence.ts';
import { createApplication } from '../../../shared/use-cases/create-application.ts';
import { createEvidenceUpload } from '../../../shared/use-cases/create-evidence-upload.ts';
import { websiteApplication } from './support/fixtures.ts';
import { agency, withLocalTable, type TestDeps, testDeps } from './support/local-deps.ts';

const MB = 1024 * 1024;

/** A PNG whose IHDR says `width`×`height` (colour type 2 = RGB, 0 = greyscale), padded to `size` bytes. */
function png(width: number, height: number, colourType: number, size = 4096): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  view.setUint32(8, 13);
  bytes.set([0x49, 0x48, 0x44, 0x52], 12);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, colourType, 0, 0, 0], 24);
  return bytes;
}

function segment(marker: number, payload: number[]): number[] {
  const length = payload.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...payload];
}

/** A colour JPEG with a large EXIF block before its frame header, as phone and scanner files have. */
function jpegWithExif(width: number, height: number, exifBytes: number): Uint8Array {
  return Uint8Array.from([
    0xff, 0xd8,
    ...segment(0xe1, new Array<number>(exifBytes).fill(0)),
    ...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 1, 1, 2, 1, 1, 3, 1, 1]),
    ...segment(0xda, [1, 1, 0, 0, 63, 0]),
    ...new Array<number>(1024).fill(0),
  ]);
}

const pdf = (size: number) => {
  const bytes = new Uint8Array(size);
  bytes.set(new TextEncoder().encode('%PDF-1.7\n'));
  return bytes;
};

describe('evidence under the evidence matrix and the agency\'s policy', { timeout: 30_000 }, () => {
  let deps: TestDeps;
  withLocalTable((table) => {
    deps = testDeps(table);
  });

  const withPolicy = (policy: Partial<EvidencePolicy>): TestDeps => ({
    ...deps,
    settings: { ...deps.settings, evidencePolicy: { ...deps.settings.evidencePolicy, ...policy } },
  });

  /** A draft subject cancellation (closure proof, business licence and legal representative's ID required). */
  async function draft(principal: Principal) {
    const { app } = await createApplication(deps, principal, websiteApplication({ kind: 'cancel_subject', filingNumber: websiteApplication().filingNumber.replace(/-1$/, '') }));
    return app;
  }

  /** Declares an upload, puts the bytes where the presigned URL would, and runs the upload check. */
  async function upload(principal: Principal, applicationId: string, kind: EvidenceKind, contentType: EvidenceContentType, bytes: Uint8Array, d = deps) {
    const declared = await createEvidenceUpload(d, principal, applicationId, { kind, contentType, contentLength: bytes.length });
    deps.objects.set(`evidence/${principal.tenantId}/${applicationId}/${declared.evidenceId}`, bytes);
    return checkEvidence(d, `evidence/${principal.tenantId}/${applicationId}/${declared.evidenceId}`);
  }

  it('refuses, when presigning, a type the kind does not take and a size over its limit (3 MiB, 1 MiB when strict)', async () => {
    // Prepare
    const principal = agency();
    const app = await draft(principal);
    const declare = (d: TestDeps, kind: EvidenceKind, contentType: EvidenceContentType, contentLength: number) =>
      createEvidenceUpload(d, principal, app.id, { kind, contentType, contentLength }).catch((e: unknown) => e);

    // Act
    const pdfLicence = await declare(deps, 'business_licence', 'application/pdf', MB);
    const standard = await declare(deps, 'closure_proof', 'application/pdf', 2 * MB);
    const strict = await declare(withPolicy({ sizeLimit: 'strict' }), 'closure_proof', 'application/pdf', 2 * MB);

    // Assess
    expect(pdfLicence).toBeInstanceOf(ValidationError);
    expect(pdfLicence).toMatchObject({ errors: [{ path: 'contentType', code: 'content_type_not_allowed' }] });
    expect(standard).toMatchObject({ method: 'PUT', uploadUrl: expect.stringContaining(app.id) });
    expect(strict).toMatchObject({ errors: [{ path: 'contentLength', code: 'too_large', message: expect.stringContaining('1 MiB') }] });
  });

  it('accepts a colour licence scan of 1.2 megapixels or more, read from far into a JPEG with a large EXIF block', async () => {
    // Prepare
    const principal = agency();
    const app = await draft(principal);

    // Act
    const result = await upload(principal, app.id, 'business_licence', 'image/jpeg', jpegWithExif(1600, 1200, 60_000));
    const stored = await deps.applications.listEvidence({ id: app.id, tenantId: principal.tenantId });

    // Assess
    expect(result).toEqual({ status: 'accepted' });
    expect(stored[0]).toMatchObject({ kind: 'business_licence', status: 'accepted', sha256: 'a'.repeat(64) });
  });

  it.each([
    ['a licence scan under 1.2 megapixels', 'business_licence', png(1000, 800, 2), 'resolution_too_low'],
    ['a black-and-white ID copy', 'legal_rep_id', png(1600, 1200, 0), 'greyscale_scan'],
    ['a PNG declared as JPEG', 'legal_rep_id', png(1600, 1200, 2), 'content_type_mismatch'],
  ] as const)('rejects %s (%s)', async (_what, kind, bytes, code) => {
    // Prepare
    const principal = agency();
    const app = await draft(principal);
    const contentType = code === 'content_type_mismatch' ? 'image/jpeg' : 'image/png';

    // Act
    const result = await upload(principal, app.id, kind, contentType, bytes);
    const stored = await deps.applications.listEvidence({ id: app.id, tenantId: principal.tenantId });

    // Assess
    expect(result).toMatchObject({ status: 'rejected', code });
    expect(stored[0]).toMatchObject({ status: 'rejected', rejectionReason: result.reason });
  });

  it('lets the policy accept greyscale scans when colour is not required', async () => {
    // Prepare
    const principal = agency();
    const app = await draft(principal);

    // Act
    const result = await upload(principal, app.id, 'legal_rep_id', 'image/png', png(1600, 1200, 0), withPolicy({ requireColour: false }));

    // Assess
    expect(result).toEqual({ status: 'accepted' });
  });

  it('checks the size limit of the policy in force when the file lands', async () => {
    // Prepare: declared under the standard policy, checked under the strict one (the policy changed meanwhile).
    const principal = agency();
    const app = await draft(principal);
    const bytes = pdf(2 * MB);
    const declared = await createEvidenceUpload(deps, principal, app.id, { kind: 'closure_proof', contentType: 'application/pdf', contentLength: bytes.length });
    const key = `evidence/${principal.tenantId}/${app.id}/${declared.evidenceId}`;
    deps.objects.set(key, bytes);

    // Act
    const result = await checkEvidence(withPolicy({ sizeLimit: 'strict' }), key);

    // Assess
    expect(result).toMatchObject({ status: 'rejected', code: 'file_too_large' });
  });
});
