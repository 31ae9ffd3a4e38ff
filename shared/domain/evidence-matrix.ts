import { z } from 'zod';
import type { CancellationKind, CancellationReason, SiteState } from './application.ts';

/**
 * Which documents an application needs, and the file rules for each.
 * One table, used by the API's `requiredEvidence`, by the submit check and by the upload check.
 */

export const EvidenceKind = z.enum([
  'closure_proof',
  'migration_proof',
  'business_licence',
  'legal_rep_id',
  'application_form',
  'licence_certificate',
]);
export type EvidenceKind = z.infer<typeof EvidenceKind>;

export const EvidenceContentType = z.enum(['application/pdf', 'image/jpeg', 'image/png']);
export type EvidenceContentType = z.infer<typeof EvidenceContentType>;

export interface EvidenceRule {
  kind: EvidenceKind;
  contentTypes: readonly EvidenceContentType[];
  maxBytes: number;
}

const MB = 1024 * 1024;
const ANY_DOCUMENT = ['application/pdf', 'image/jpeg', 'image/png'] as const;

export const EVIDENCE_RULES: Readonly<Record<EvidenceKind, EvidenceRule>> = {
  closure_proof: { kind: 'closure_proof', contentTypes: ANY_DOCUMENT, maxBytes: 3 * MB },
  migration_proof: { kind: 'migration_proof', contentTypes: ANY_DOCUMENT, maxBytes: 3 * MB },
  business_licence: { kind: 'business_licence', contentTypes: ['image/jpeg', 'image/png'], maxBytes: 3 * MB },
  legal_rep_id: { kind: 'legal_rep_id', contentTypes: ['image/jpeg', 'image/png'], maxBytes: 3 * MB },
  application_form: { kind: 'application_form', contentTypes: ANY_DOCUMENT, maxBytes: 3 * MB },
  licence_certificate: { kind: 'licence_certificate', contentTypes: ANY_DOCUMENT, maxBytes: 3 * MB },
};

export interface EvidenceContext {
  kind: CancellationKind;
  reason: CancellationReason;
  siteState: SiteState;
}

/** The evidence kinds an application of this shape must have accepted before it can be submitted. */
export function requiredEvidence(context: EvidenceContext): EvidenceKind[] {
  const required = new Set<EvidenceKind>();
  required.add(context.siteState.state === 'closed' ? 'closure_proof' : 'migration_proof');
  if (context.kind === 'cancel_subject' || context.reason === 'company_dissolved') {
    required.add('business_licence');
    required.add('legal_rep_id');
  }
  if (context.kind === 'cancel_licence') required.add('licence_certificate');
  return [...required];
}
