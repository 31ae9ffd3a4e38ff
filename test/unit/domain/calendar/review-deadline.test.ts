import { describe, expect, it } from 'vitest';
import { reviewDeadline } from '../../../../shared/domain/calendar/index.ts';

describe('reviewDeadline', () => {
  it('gives a website cancellation 20 business days', () => {
    // Act
    const result = reviewDeadline('cancel_website', '2025-09-26');

    // Assess
    expect(result).toMatchObject({ value: '2025-10-30', estimate: false, rule: { unit: 'business_days', amount: 20 } });
  });

  it('gives a licence cancellation 60 calendar days, moved off a holiday to the next business day', () => {
    // Act: 60 days after 2025-08-02 is 2025-10-01, National Day.
    const result = reviewDeadline('cancel_licence', '2025-08-02');

    // Assess
    expect(result).toMatchObject({ value: '2025-10-09', estimate: false, rule: { unit: 'calendar_days', amount: 60 } });
  });

  it('takes the numbers from settings', () => {
    // Act
    const result = reviewDeadline('cancel_licence', '2025-08-02', { cancel_licence: { unit: 'business_days', amount: 20 } });

    // Assess
    expect(result).toMatchObject({ value: '2025-08-29', estimate: false });
  });

  it('can leave a calendar-day deadline on a holiday', () => {
    // Act
    const result = reviewDeadline('cancel_licence', '2025-08-02', {
      cancel_licence: { unit: 'calendar_days', amount: 60, rollToBusinessDay: false },
    });

    // Assess
    expect(result).toMatchObject({ value: '2025-10-01', estimate: false });
  });

  it('marks a deadline in 2027 as an estimate', () => {
    // Act
    const business = reviewDeadline('cancel_subject', '2026-12-15');
    const calendar = reviewDeadline('cancel_licence', '2026-12-15');

    // Assess
    expect(business).toMatchObject({ value: '2027-01-12', estimate: true, uncoveredYears: [2027] });
    expect(calendar).toMatchObject({ value: '2027-02-15', estimate: true, uncoveredYears: [2027] });
  });
});
