import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addBusinessDays,
  businessDaysBetween,
  fromDayNumber,
  dayNumber,
  isBusinessDay,
} from '../../../../shared/domain/calendar/index.ts';

describe('isBusinessDay', () => {
  it.each([
    ['2025-09-26', true], // Friday
    ['2025-09-27', false], // Saturday
    ['2025-09-28', true], // Sunday, make-up workday
    ['2025-10-01', false], // National Day
    ['2025-10-08', false], // last day of the merged break
    ['2025-10-11', true], // Saturday, make-up workday
  ])('%s → %s, exactly', (date, expected) => {
    // Act
    const result = isBusinessDay(date);

    // Assess
    expect(result).toEqual({ value: expected, estimate: false });
  });

  it('takes a Date as its China calendar date', () => {
    // Prepare: 17:00 UTC on 30 September is already 1 October in China.
    const instant = new Date('2025-09-30T17:00:00Z');

    // Act
    const result = isBusinessDay(instant);

    // Assess
    expect(result).toEqual({ value: false, estimate: false });
  });

  it('marks a day of 2027 as an estimate, judged by weekends alone', () => {
    // Act
    const friday = isBusinessDay('2027-01-01');
    const saturday = isBusinessDay('2027-01-02');

    // Assess
    expect(friday).toEqual({ value: true, estimate: true, uncoveredYears: [2027] });
    expect(saturday).toEqual({ value: false, estimate: true, uncoveredYears: [2027] });
  });

  it('marks the last days of 2026 as estimates, which the 2027 notice may still change', () => {
    // Act
    const before = isBusinessDay('2026-12-25');
    const tail = isBusinessDay('2026-12-29');

    // Assess
    expect(before).toEqual({ value: true, estimate: false });
    expect(tail).toEqual({ value: true, estimate: true, uncoveredYears: [2027] });
  });

  it('refuses what is not a date', () => {
    // Assess
    expect(() => isBusinessDay('2025-02-30')).toThrow(RangeError);
    expect(() => isBusinessDay(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('addBusinessDays', () => {
  it('skips the 2025 National Day break and counts its make-up workdays: 2025-09-26 + 10 = 2025-10-16', () => {
    // Act
    const result = addBusinessDays('2025-09-26', 10);

    // Assess
    expect(result).toEqual({ value: '2025-10-16', estimate: false });
  });

  it.each([
    ['2026-02-13', 1, '2026-02-14'], // into the Saturday make-up workday before Spring Festival
    ['2026-02-14', 1, '2026-02-24'], // over the 9-day Spring Festival
    ['2024-06-07', 1, '2024-06-11'], // over a weekend joined to 端午
    ['2025-10-16', -10, '2025-09-26'],
    ['2025-10-04', 0, '2025-10-04'],
  ])('%s + %i = %s', (from, n, expected) => {
    // Act
    const result = addBusinessDays(from, n);

    // Assess
    expect(result).toEqual({ value: expected, estimate: false });
  });

  it('marks a result that reaches into 2027 as an estimate', () => {
    // Act
    const result = addBusinessDays('2026-12-21', 10);

    // Assess: 22–25, 28–31 December and 1, 4 January, weekends only after the 27th.
    expect(result).toEqual({ value: '2027-01-04', estimate: true, uncoveredYears: [2027] });
  });

  it('refuses a fractional number of days', () => {
    // Assess
    expect(() => addBusinessDays('2025-01-02', 1.5)).toThrow(RangeError);
  });
});

describe('businessDaysBetween', () => {
  it('counts the days after the first up to the second', () => {
    // Act
    const forward = businessDaysBetween('2025-09-26', '2025-10-16');
    const backward = businessDaysBetween('2025-10-16', '2025-09-26');

    // Assess
    expect(forward).toEqual({ value: 10, estimate: false });
    expect(backward).toEqual({ value: -10, estimate: false });
  });

  it('is the inverse of addBusinessDays over the covered years', () => {
    // Prepare: start dates from which 40 business days either way stay inside 2024–2026.
    const covered = fc.integer({ min: dayNumber('2024-03-01'), max: dayNumber('2026-10-31') }).map(fromDayNumber);

    fc.assert(
      fc.property(covered, fc.integer({ min: -40, max: 40 }), (from, n) => {
        // Act
        const to = addBusinessDays(from, n);
        const between = businessDaysBetween(from, to.value);

        // Assess
        expect(between).toEqual({ value: n, estimate: false });
      }),
    );
  });

  it('marks a span into 2027 as an estimate', () => {
    // Act
    const result = businessDaysBetween('2026-12-01', '2027-02-01');

    // Assess
    expect(result).toMatchObject({ estimate: true, uncoveredYears: [2027] });
  });
});
