import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SiteState } from '../../../shared/domain/application.ts';
import {
  checkEvidenceFile,
  EVIDENCE_RULES,
  evidenceRule,
  EvidenceKind,
  requiredEvidence,
  sniffEvidenceType,
} from '../../../shared/domain/evidence-matrix.ts';

const closed: SiteState = { state: 'closed', since: '2026-01-05' };
const migrated: SiteState = { state: 'migrated', target: 'new.example.com', since: '2026-01-05' };
const MB = 1024 * 1024;

function png(width: number, height: number, colourType = 2): Uint8Array {
  const bytes = new Uint8Array(33);
  const view = new DataView(bytes.buffer);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  view.setUint32(8, 13);
  bytes.set([0x49, 0x48, 0x44, 0x52], 12); // IHDR
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, colourType, 0, 0, 0], 24);
  return bytes;
}

function segment(marker: number, payload: number[]): number[] {
  const length = payload.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...payload];
}

/** A JPEG header: SOI, JFIF, `padding` bytes of EXIF, a Huffman table, then the frame (`sof` 0xC0 baseline, 0xC2 progressive). */
function jpeg(width: number, height: number, options: { components?: number; padding?: number; sof?: number } = {}): Uint8Array {
  const { components = 3, padding = 0, sof = 0xc0 } = options;
  return Uint8Array.from([
    0xff, 0xd8,
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...(padding > 0 ? segment(0xe1, new Array<number>(padding).fill(0)) : []),
    0xff, // a fill byte before a marker is allowed
    ...segment(0xc4, [0, ...new Array<number>(16).fill(0)]),
    ...segment(sof, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, components, ...new Array<number>(3 * components).fill(1)]),
    ...segment(0xda, [1, 1, 0, 0, 63, 0]),
  ]);
}

const pdf = new TextEncoder().encode('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');

describe('requiredEvidence', () => {
  it.each([
    ['cancel_website', 'business_change', closed, undefined, {}, ['closure_proof']],
    ['cancel_access', 'website_migrated', migrated, undefined, {}, ['migration_proof']],
    ['cancel_subject', 'business_change', closed, 'enterprise', {}, ['closure_proof', 'business_licence', 'legal_rep_id']],
    ['cancel_subject', 'other', closed, 'individual', {}, ['closure_proof', 'holder_id']],
    ['cancel_website', 'company_dissolved', closed, 'enterprise', {}, ['closure_proof', 'business_licence', 'legal_rep_id']],
    ['cancel_website', 'business_change', closed, 'enterprise', { requireSignedForm: true }, ['closure_proof', 'application_form']],
    [
      'cancel_licence',
      'business_change',
      closed,
      'enterprise',
      {},
      ['closure_proof', 'licence_certificate', 'application_form', 'user_settlement_proof', 'business_licence', 'legal_rep_id'],
    ],
  ] as const)('%s for %s (%s, %s, policy %j)', (kind, reason, siteState, subjectType, policy, expected) => {
    // Act
    const required = requiredEvidence({ kind, reason, siteState, ...(subjectType ? { subject: { type: subjectType } } : {}) }, policy);

    // Assess
    expect(required).toEqual(expected);
  });
});

describe('evidenceRule', () => {
  it('lowers the size limit to 1 MiB with the strict setting', () => {
    // Act
    const standard = evidenceRule('business_licence');
    const strict = evidenceRule('business_licence', { sizeLimit: 'strict' });

    // Assess
    expect(standard.maxBytes).toBe(3 * MB);
    expect(strict.maxBytes).toBe(1 * MB);
  });

  it('keeps a rule for every kind under its own name', () => {
    // Assess
    for (const kind of EvidenceKind.options) expect(EVIDENCE_RULES[kind].kind).toBe(kind);
  });
});

describe('sniffEvidenceType', () => {
  it('knows PDF, JPEG and PNG by their magic numbers and nothing else', () => {
    // Assess
    expect(sniffEvidenceType(pdf)).toBe('application/pdf');
    expect(sniffEvidenceType(jpeg(10, 10))).toBe('image/jpeg');
    expect(sniffEvidenceType(png(10, 10))).toBe('image/png');
    expect(sniffEvidenceType(new TextEncoder().encode('GIF89a'))).toBeUndefined();
    expect(sniffEvidenceType(new Uint8Array())).toBeUndefined();
  });
});

describe('checkEvidenceFile', () => {
  it('accepts a colour licence scan of 1.2 megapixels and reports its size', () => {
    // Act
    const result = checkEvidenceFile('business_licence', { declaredContentType: 'image/jpeg', size: 500_000, head: jpeg(1200, 1000) });

    // Assess
    expect(result).toEqual({ ok: true, sniffedType: 'image/jpeg', width: 1200, height: 1000 });
  });

  it('reads the frame of a progressive JPEG behind a large EXIF segment', () => {
    // Act
    const result = checkEvidenceFile('licence_certificate', {
      declaredContentType: 'image/jpg',
      size: 900_000,
      head: jpeg(2480, 3508, { padding: 60_000, sof: 0xc2 }),
    });

    // Assess
    expect(result).toEqual({ ok: true, sniffedType: 'image/jpeg', width: 2480, height: 3508 });
  });

  it('reads any PNG and JPEG size from the header', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 0, max: 2000 }),
        (width, height, padding) => {
          // Act
          const fromPng = checkEvidenceFile('closure_proof', { declaredContentType: 'image/png', size: 100, head: png(width, height) });
          const fromJpeg = checkEvidenceFile('closure_proof', { declaredContentType: 'image/jpeg', size: 3000, head: jpeg(width, height, { padding }) });

          // Assess
          expect(fromPng).toEqual({ ok: true, sniffedType: 'image/png', width, height });
          expect(fromJpeg).toEqual({ ok: true, sniffedType: 'image/jpeg', width, height });
        },
      ),
    );
  });

  it('accepts a PDF where PDFs are allowed, without measuring it', () => {
    // Act
    const result = checkEvidenceFile('closure_proof', { declaredContentType: 'application/pdf; charset=binary', size: 2000, head: pdf });

    // Assess
    expect(result).toEqual({ ok: true, sniffedType: 'application/pdf' });
  });

  it.each([
    ['unsupported_content_type', 'closure_proof', { declaredContentType: 'image/gif', size: 10, head: png(1, 1) }, {}],
    ['content_type_not_allowed', 'business_licence', { declaredContentType: 'application/pdf', size: 10, head: pdf }, {}],
    ['empty_file', 'closure_proof', { declaredContentType: 'image/png', size: 0, head: new Uint8Array() }, {}],
    ['file_too_large', 'closure_proof', { declaredContentType: 'image/png', size: 3 * MB + 1, head: png(10, 10) }, {}],
    ['file_too_large', 'closure_proof', { declaredContentType: 'image/png', size: 1 * MB + 1, head: png(10, 10) }, { sizeLimit: 'strict' }],
    ['unrecognised_content', 'closure_proof', { declaredContentType: 'image/png', size: 10, head: new TextEncoder().encode('<html>') }, {}],
    ['content_type_mismatch', 'closure_proof', { declaredContentType: 'image/png', size: 100, head: jpeg(10, 10) }, {}],
    ['head_too_short', 'business_licence', { declaredContentType: 'image/jpeg', size: 900_000, head: jpeg(2000, 1000, { padding: 500 }).subarray(0, 300) }, {}],
    ['corrupt_image', 'business_licence', { declaredContentType: 'image/jpeg', size: 300, head: jpeg(2000, 1000, { padding: 500 }).subarray(0, 300) }, {}],
    ['corrupt_image', 'closure_proof', { declaredContentType: 'image/png', size: 100, head: png(0, 10) }, {}],
    ['resolution_too_low', 'business_licence', { declaredContentType: 'image/png', size: 100, head: png(1199, 1000) }, {}],
    ['greyscale_scan', 'business_licence', { declaredContentType: 'image/png', size: 100, head: png(1600, 1200, 0) }, {}],
    ['greyscale_scan', 'legal_rep_id', { declaredContentType: 'image/jpeg', size: 100, head: jpeg(1600, 1200, { components: 1 }) }, {}],
  ] as const)('refuses with %s (%s)', (code, kind, file, policy) => {
    // Act
    const result = checkEvidenceFile(kind, file, policy);

    // Assess
    expect(result).toEqual({ ok: false, code, message: expect.any(String) });
  });

  it('accepts an image of a kind without resolution or colour rule from its magic number alone', () => {
    // Act
    const result = checkEvidenceFile('closure_proof', { declaredContentType: 'image/png', size: 5000, head: png(800, 600).subarray(0, 16) });

    // Assess
    expect(result).toEqual({ ok: true, sniffedType: 'image/png' });
  });

  it('tells a HEIC photo apart from other unknown content', () => {
    // Prepare
    const heic = Uint8Array.from([0, 0, 0, 24, ...new TextEncoder().encode('ftypheic')]);

    // Act
    const result = checkEvidenceFile('closure_proof', { declaredContentType: 'image/jpeg', size: 100, head: heic });

    // Assess
    expect(result).toMatchObject({ ok: false, code: 'unrecognised_content', message: expect.stringContaining('HEIC') });
  });

  it('lets greyscale through where colour is not required, or the policy does not ask for it', () => {
    // Act
    const proof = checkEvidenceFile('closure_proof', { declaredContentType: 'image/png', size: 100, head: png(800, 600, 0) });
    const lenient = checkEvidenceFile('business_licence', { declaredContentType: 'image/png', size: 100, head: png(1600, 1200, 4) }, { requireColour: false });

    // Assess
    expect(proof.ok).toBe(true);
    expect(lenient.ok).toBe(true);
  });
});
