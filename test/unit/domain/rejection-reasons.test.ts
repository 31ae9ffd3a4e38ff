import { describe, expect, it } from 'vitest';
import {
  REJECTION_REASONS,
  RejectionReason,
  RejectionReasonCode,
  rejectionReason,
} from '../../../shared/domain/rejection-reasons.ts';

describe('rejection reasons', () => {
  it('has a valid bilingual entry under its own code for every code of DOMAIN.md', () => {
    // Act
    const entries = RejectionReasonCode.options.map((code) => [code, RejectionReason.parse(REJECTION_REASONS[code])] as const);

    // Assess
    expect(RejectionReasonCode.options).toEqual([
      'MATERIALS_INCOMPLETE',
      'DOCUMENT_UNCLEAR',
      'INFO_MISMATCH',
      'SITE_STILL_REACHABLE',
      'VERIFICATION_EXPIRED',
      'VERIFICATION_FAILED',
      'ORDER_IN_PROGRESS',
      'OTHER',
    ]);
    for (const [code, entry] of entries) {
      expect(entry.code).toBe(code);
      expect(entry.fixHint.zh).toMatch(/\p{Script=Han}/u);
      expect(entry.fixHint.en).toMatch(/^[\x20-\x7E]+$/);
    }
  });

  it('looks a code up', () => {
    // Act
    const reason = rejectionReason('SITE_STILL_REACHABLE');

    // Assess
    expect(reason.title).toEqual({ zh: '网站仍可访问', en: 'Website still reachable' });
  });

  it('falls back to OTHER for an unknown code', () => {
    // Act
    const reason = rejectionReason('SOMETHING_NEW');

    // Assess
    expect(reason.code).toBe('OTHER');
  });
});
