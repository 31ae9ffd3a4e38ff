import * as z from '../zod.ts';
import type { CancellationKind, CancellationReason, SiteState, SubjectType } from './application.ts';

/**
 * Which documents an application needs, and the file rules for each.
 * One table, used by the API's `requiredEvidence`, by the submit check and by the upload check.
 *
 * The matrix (DOMAIN.md "The review", step 2):
 * | when                                           | documents                                                     |
 * |------------------------------------------------|---------------------------------------------------------------|
 * | site closed / migrated (every kind)            | closure_proof / migration_proof                               |
 * | cancel_subject, or reason company_dissolved    | business_licence + legal_rep_id (an individual: holder_id)    |
 * | cancel_licence                                 | licence_certificate, application_form, user_settlement_proof, |
 * |                                                | business_licence, legal_rep_id                                |
 * | agency policy `requireSignedForm` (offline /   | application_form (signed and sealed)                          |
 * | provincial-form cancellations)                 |                                                               |
 * File rules: PDF/JPEG/PNG as listed per kind; ≤ 3 MiB (≤ 1 MiB with the strict size setting); licence scans
 * (business_licence, licence_certificate) ≥ 1.2 megapixels; licences and IDs in colour (portals reject
 * black-and-white copies).
 */

export const EvidenceKind = z.enum([
  'closure_proof',
  'migration_proof',
  'business_licence',
  'legal_rep_id',
  'holder_id',
  'application_form',
  'licence_certificate',
  'user_settlement_proof',
]);
export type EvidenceKind = z.infer<typeof EvidenceKind>;

export const EvidenceContentType = z.enum(['application/pdf', 'image/jpeg', 'image/png']);
export type EvidenceContentType = z.infer<typeof EvidenceContentType>;

export interface EvidenceRule {
  kind: EvidenceKind;
  title: { zh: string; en: string };
  contentTypes: readonly EvidenceContentType[];
  /** The limit with the standard size setting; see `evidenceRule` for the one in force. */
  maxBytes: number;
  /** Minimum pixel count of an image (JPEG/PNG), in megapixels; PDFs are not measured. */
  minMegapixels?: number;
  /** Images must be in colour (a greyscale JPEG/PNG is a black-and-white copy). */
  colourRequired: boolean;
}

const MB = 1024 * 1024;
const ANY_DOCUMENT = ['application/pdf', 'image/jpeg', 'image/png'] as const;
const IMAGES = ['image/jpeg', 'image/png'] as const;
const LICENCE_SCAN_MEGAPIXELS = 1.2;

export const EVIDENCE_RULES: Readonly<Record<EvidenceKind, EvidenceRule>> = {
  closure_proof: {
    kind: 'closure_proof',
    title: { zh: '网站关闭证明', en: 'proof that the website is closed' },
    contentTypes: ANY_DOCUMENT,
    maxBytes: 3 * MB,
    colourRequired: false,
  },
  migration_proof: {
    kind: 'migration_proof',
    title: { zh: '网站迁移证明', en: 'proof that the website has moved' },
    contentTypes: ANY_DOCUMENT,
    maxBytes: 3 * MB,
    colourRequired: false,
  },
  business_licence: {
    kind: 'business_licence',
    title: { zh: '营业执照', en: 'business licence' },
    contentTypes: IMAGES,
    maxBytes: 3 * MB,
    minMegapixels: LICENCE_SCAN_MEGAPIXELS,
    colourRequired: true,
  },
  legal_rep_id: {
    kind: 'legal_rep_id',
    title: { zh: '法定代表人身份证件', en: 'legal representative\'s ID card' },
    contentTypes: IMAGES,
    maxBytes: 3 * MB,
    colourRequired: true,
  },
  holder_id: {
    kind: 'holder_id',
    title: { zh: '备案人身份证件', en: 'the individual holder\'s ID card' },
    contentTypes: IMAGES,
    maxBytes: 3 * MB,
    colourRequired: true,
  },
  application_form: {
    kind: 'application_form',
    title: { zh: '签字盖章的注销申请表', en: 'signed and sealed cancellation application form' },
    contentTypes: ANY_DOCUMENT,
    maxBytes: 3 * MB,
    colourRequired: false,
  },
  licence_certificate: {
    kind: 'licence_certificate',
    title: { zh: '增值电信业务经营许可证（正副本）', en: 'value-added telecom business licence (original and copy)' },
    contentTypes: ANY_DOCUMENT,
    maxBytes: 3 * MB,
    minMegapixels: LICENCE_SCAN_MEGAPIXELS,
    colourRequired: true,
  },
  user_settlement_proof: {
    kind: 'user_settlement_proof',
    title: { zh: '用户善后处理情况说明', en: 'statement of how users were taken care of' },
    contentTypes: ANY_DOCUMENT,
    maxBytes: 3 * MB,
    colourRequired: false,
  },
};

/** An agency's evidence settings. The defaults are the common portal rules. */
export const EvidencePolicy = z.strictObject({
  /** `standard`: 3 MiB per file; `strict`: 1 MiB, for portals that take no more. */
  sizeLimit: z._default(z.enum(['standard', 'strict']), 'standard'),
  /** Offline (provincial form) cancellations need the signed and sealed application form for every kind. */
  requireSignedForm: z._default(z.boolean(), false),
  /** Refuse greyscale scans of licences and IDs. */
  requireColour: z._default(z.boolean(), true),
});
export type EvidencePolicy = z.infer<typeof EvidencePolicy>;

export const DEFAULT_EVIDENCE_POLICY: EvidencePolicy = EvidencePolicy.parse({});
const STRICT_MAX_BYTES = 1 * MB;

/** The rule for `kind` as the policy makes it (size limit, colour). */
export function evidenceRule(kind: EvidenceKind, policy: Partial<EvidencePolicy> = {}): EvidenceRule {
  const { sizeLimit, requireColour } = { ...DEFAULT_EVIDENCE_POLICY, ...policy };
  const rule = EVIDENCE_RULES[kind];
  return {
    ...rule,
    maxBytes: sizeLimit === 'strict' ? Math.min(rule.maxBytes, STRICT_MAX_BYTES) : rule.maxBytes,
    colourRequired: rule.colourRequired && requireColour,
  };
}

export interface EvidenceContext {
  kind: CancellationKind;
  reason: CancellationReason;
  siteState: SiteState;
  /** Who holds the filing; an individual has no business licence and proves identity with their own ID. */
  subject?: { type: SubjectType };
}

/** The evidence kinds an application of this shape must have accepted before it can be submitted. */
export function requiredEvidence(context: EvidenceContext, policy: Partial<EvidencePolicy> = {}): EvidenceKind[] {
  const { requireSignedForm } = { ...DEFAULT_EVIDENCE_POLICY, ...policy };
  const required = new Set<EvidenceKind>();
  required.add(context.siteState.state === 'closed' ? 'closure_proof' : 'migration_proof');
  if (context.kind === 'cancel_subject' || context.reason === 'company_dissolved') {
    if (context.subject?.type === 'individual') {
      required.add('holder_id');
    } else {
      required.add('business_licence');
      required.add('legal_rep_id');
    }
  }
  if (context.kind === 'cancel_licence') {
    // A licence cancellation is a written application to the licensing authority with the licence itself and an
    // account of how the service's users were settled.
    required.add('licence_certificate');
    required.add('application_form');
    required.add('user_settlement_proof');
    required.add('business_licence');
    required.add('legal_rep_id');
  }
  if (requireSignedForm) required.add('application_form');
  return [...required];
}

/** How many leading bytes `checkEvidenceFile` should get: enough to pass the EXIF and ICC segments of a JPEG. */
export const EVIDENCE_HEAD_BYTES = 256 * 1024;

export interface EvidenceFileFacts {
  /** The Content-Type the client declared (parameters and case are ignored; `image/jpg` is taken as JPEG). */
  declaredContentType: string;
  size: number;
  /** The first bytes of the file (ideally `EVIDENCE_HEAD_BYTES`, or the whole file if smaller). */
  head: Uint8Array;
}

export type EvidenceFileCheck =
  | { ok: true; sniffedType: EvidenceContentType; width?: number; height?: number }
  | { ok: false; code: EvidenceFileProblem; message: string };

export type EvidenceFileProblem =
  | 'unsupported_content_type'
  | 'content_type_not_allowed'
  | 'empty_file'
  | 'file_too_large'
  | 'unrecognised_content'
  | 'content_type_mismatch'
  | 'head_too_short'
  | 'corrupt_image'
  | 'resolution_too_low'
  | 'greyscale_scan';

const CONTENT_TYPE_ALIASES: Readonly<Record<string, EvidenceContentType>> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
};

const SIGNATURES: readonly { type: EvidenceContentType; bytes: readonly number[] }[] = [
  { type: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
];

/** The file type by its magic number, or undefined when it is none of PDF, JPEG, PNG. */
export function sniffEvidenceType(head: Uint8Array): EvidenceContentType | undefined {
  return SIGNATURES.find((s) => s.bytes.every((b, i) => head[i] === b))?.type;
}

type ImageHeader =
  | { found: true; width: number; height: number; colour: boolean }
  | { found: false; reason: 'truncated' | 'corrupt' };

/** PNG: the IHDR chunk must come first; width and height are big-endian at 16 and 20, the colour type at 25. */
function readPngHeader(head: Uint8Array): ImageHeader {
  if (head.length < 26) return { found: false, reason: 'truncated' };
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const chunkType = String.fromCharCode(...head.subarray(12, 16));
  if (chunkType !== 'IHDR') return { found: false, reason: 'corrupt' };
  const colourType = head[25];
  // Colour types 0 and 4 are greyscale (without / with alpha); 2, 3 (palette) and 6 carry colour.
  return { found: true, width: view.getUint32(16), height: view.getUint32(20), colour: colourType !== 0 && colourType !== 4 };
}

/**
 * JPEG: walk the marker segments to the first SOFn (start of frame), which holds precision, height, width and the
 * number of components (1 = greyscale). DHT (C4), JPG (C8) and DAC (CC) share the range but are not frames.
 */
function readJpegHeader(head: Uint8Array): ImageHeader {
  let i = 2;
  while (i + 1 < head.length) {
    if (head[i] !== 0xff) return { found: false, reason: 'corrupt' };
    const marker = head[i + 1] ?? 0;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return { found: false, reason: 'corrupt' }; // image data before any frame
    if (i + 3 >= head.length) break;
    const length = ((head[i + 2] ?? 0) << 8) | (head[i + 3] ?? 0);
    if (length < 2) return { found: false, reason: 'corrupt' };
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (i + 9 >= head.length) break;
      const height = ((head[i + 5] ?? 0) << 8) | (head[i + 6] ?? 0);
      const width = ((head[i + 7] ?? 0) << 8) | (head[i + 8] ?? 0);
      return { found: true, width, height, colour: (head[i + 9] ?? 0) >= 3 };
    }
    i += 2 + length;
  }
  return { found: false, reason: 'truncated' };
}

function normaliseContentType(declared: string): string {
  const bare = declared.split(';')[0]?.trim().toLowerCase() ?? '';
  return CONTENT_TYPE_ALIASES[bare] ?? bare;
}

function formatBytes(bytes: number): string {
  return `${(bytes / MB).toFixed(bytes % MB === 0 ? 0 : 1)} MB`;
}

/**
 * Check an evidence file against the rules of its kind from its declared type, its size and its first bytes:
 * the magic number must be PDF, JPEG or PNG and match the declared type, the size within the limit, and images of
 * kinds with a minimum resolution or colour rule are measured from their header (PNG IHDR, JPEG SOFn).
 */
export function checkEvidenceFile(
  kind: EvidenceKind,
  file: EvidenceFileFacts,
  policy: Partial<EvidencePolicy> = {},
): EvidenceFileCheck {
  const rule = evidenceRule(kind, policy);
  const allowed = rule.contentTypes.join(', ');
  const declared = EvidenceContentType.safeParse(normaliseContentType(file.declaredContentType));
  if (!declared.success) {
    return {
      ok: false,
      code: 'unsupported_content_type',
      message: `"${file.declaredContentType}" is not accepted; send the ${rule.title.en} (${rule.title.zh}) as ${allowed}.`,
    };
  }
  if (!rule.contentTypes.includes(declared.data)) {
    return {
      ok: false,
      code: 'content_type_not_allowed',
      message: `The ${rule.title.en} (${rule.title.zh}) must be ${allowed}, not ${declared.data}; convert the file and upload it again.`,
    };
  }
  if (file.size <= 0) return { ok: false, code: 'empty_file', message: 'The file is empty; upload the document again.' };
  if (file.size > rule.maxBytes) {
    return {
      ok: false,
      code: 'file_too_large',
      message: `The file is ${formatBytes(file.size)}; the ${rule.title.en} may be at most ${formatBytes(rule.maxBytes)}. Scan at a lower resolution or compress it (JPEG quality 80–90 keeps it legible).`,
    };
  }
  const sniffed = sniffEvidenceType(file.head);
  if (!sniffed) {
    const heic = String.fromCharCode(...file.head.subarray(4, 12));
    return {
      ok: false,
      code: 'unrecognised_content',
      message: /^ftyp(heic|heix|mif1|hevc)/.test(heic)
        ? 'This is a HEIC photo (iPhone format), which portals do not take; export it as JPEG and upload that.'
        : `The content is not a PDF, JPEG or PNG file, whatever its name says; upload the ${rule.title.en} as ${allowed}.`,
    };
  }
  if (sniffed !== declared.data) {
    return {
      ok: false,
      code: 'content_type_mismatch',
      message: `The file was declared as ${declared.data} but its content is ${sniffed}; upload it with the right type (a renamed file is not converted).`,
    };
  }
  if (sniffed === 'application/pdf') return { ok: true, sniffedType: sniffed };

  const header = sniffed === 'image/png' ? readPngHeader(file.head) : readJpegHeader(file.head);
  const measured = rule.minMegapixels !== undefined || rule.colourRequired;
  if (!header.found) {
    const wholeFile = file.head.length >= file.size;
    // Kinds without a resolution or colour rule do not need the header: a short head is no reason to refuse them.
    if (header.reason === 'truncated' && !wholeFile && !measured) return { ok: true, sniffedType: sniffed };
    if (header.reason === 'truncated' && !wholeFile) {
      return {
        ok: false,
        code: 'head_too_short',
        message: `The image size could not be read from the first ${file.head.length} bytes; pass more of the file (EVIDENCE_HEAD_BYTES).`,
      };
    }
    return { ok: false, code: 'corrupt_image', message: 'The image is damaged and cannot be read; export or scan it again.' };
  }
  const { width, height } = header;
  if (width === 0 || height === 0) {
    return { ok: false, code: 'corrupt_image', message: 'The image has no pixels; export or scan it again.' };
  }
  if (rule.minMegapixels !== undefined && width * height < rule.minMegapixels * 1_000_000) {
    return {
      ok: false,
      code: 'resolution_too_low',
      message: `The image is ${width}×${height} (${((width * height) / 1_000_000).toFixed(2)} megapixels); the ${rule.title.en} needs at least ${rule.minMegapixels} megapixels (e.g. 1600×900). Scan the original again at a higher resolution.`,
    };
  }
  if (rule.colourRequired && !header.colour) {
    return {
      ok: false,
      code: 'greyscale_scan',
      message: `The ${rule.title.en} is in black and white; authorities reject black-and-white copies (黑白复印件). Upload a colour scan of the original.`,
    };
  }
  return { ok: true, sniffedType: sniffed, width, height };
}
