import { describe, expect, it } from 'vitest';
import type { Application } from '../../../../shared/domain/records.ts';
import { reviewDeadlineFor, secondsUntilEndOf, workflowView } from '../../../../shared/use-cases/workflow/review-timeouts.ts';

const settings = { correctionWindowDays: 14 };

function app(overrides: Partial<Application> = {}): Application {
  return {
    id: 'app_1',
    tenantId: 'tnt_1',
    kind: 'cancel_website',
    filingNumber: '京ICP备10046444号-9',
    websiteName: '示例网',
    domains: ['example.cn'],
    subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: '91110108551385082Q' },
    reason: 'business_change',
    siteState: { state: 'closed', since: '2026-01-05' },
    status: 'under_review',
    attempt: 1,
    sequence: 3,
    version: 3,
    requiredEvidence: ['closure_proof'],
    rejectionReasons: [],
    workflowRuns: 1,
    createdAt: '2025-09-26T02:00:00.000Z',
    updatedAt: '2025-09-26T02:00:00.000Z',
    ...overrides,
  };
}

describe('reviewDeadlineFor', () => {
  it('counts business days from the China date of the submission', () => {
    // Act: 23:30 UTC on the 25th is already the 26th in China.
    const deadline = reviewDeadlineFor('cancel_website', new Date('2025-09-25T23:30:00Z'));

    // Assess
    expect(deadline).toEqual({ date: '2025-10-30', estimate: false });
  });

  it('marks a deadline in a year the calendar does not cover as an estimate', () => {
    // Act
    const deadline = reviewDeadlineFor('cancel_subject', new Date('2026-12-20T02:00:00Z'));

    // Assess
    expect(deadline).toEqual({ date: '2027-01-15', estimate: true, uncoveredYears: [2027] });
  });

  it('gives a licence cancellation 60 calendar days', () => {
    // Act
    const deadline = reviewDeadlineFor('cancel_licence', new Date('2026-03-02T02:00:00Z'));

    // Assess
    expect(deadline).toEqual({ date: '2026-05-06', estimate: false });
  });
});

describe('workflowView', () => {
  it('runs the review timeout to the end of the stored deadline (China time)', () => {
    // Prepare
    const stored = app({ reviewDeadline: { date: '2025-10-30', estimate: false } });

    // Act
    const view = workflowView(stored, settings, new Date('2025-10-29T16:00:00Z')); // 2025-10-30 00:00 in China

    // Assess
    expect(view).toEqual({
      status: 'under_review',
      attempt: 1,
      reviewTimeoutSeconds: 86_400,
      reviewDeadline: '2025-10-30',
      reviewDeadlineEstimate: false,
      correctionTimeoutSeconds: 14 * 86_400,
    });
  });

  it('waits a fresh review period from today once the stored deadline has passed (an overdue review)', () => {
    // Prepare
    const stored = app({ reviewDeadline: { date: '2025-10-30', estimate: false } });
    const now = new Date('2025-11-03T02:00:00Z');

    // Act
    const view = workflowView(stored, settings, now);

    // Assess
    expect(view.reviewDeadline).toBe(reviewDeadlineFor('cancel_website', now).date);
    expect(view.reviewTimeoutSeconds).toBe(secondsUntilEndOf(view.reviewDeadline, now));
    expect(view.reviewTimeoutSeconds).toBeGreaterThan(20 * 86_400);
  });

  it('computes a deadline from today for an application submitted before deadlines were stored', () => {
    // Act
    const view = workflowView(app(), settings, new Date('2026-12-20T02:00:00Z'));

    // Assess
    expect(view).toMatchObject({ reviewDeadline: '2027-01-15', reviewDeadlineEstimate: true });
  });
});
