import { describe, expect, it } from 'vitest';
import { dayInfo, defaultHolidayCalendar } from '../../../../shared/domain/calendar/index.ts';

// Each State Council notice, restated day by day from its text: the first and last day off of every holiday, the day
// after it, and every make-up workday. A typo in a data file breaks one of these.
const NOTICES: Record<number, [date: string, type: 'holiday' | 'make_up_workday' | 'weekday' | 'weekend'][]> = {
  2024: [
    ['2024-01-01', 'holiday'],
    ['2024-01-02', 'weekday'],
    ['2024-02-04', 'make_up_workday'],
    ['2024-02-09', 'weekday'], // 除夕: only encouraged as a day off, not a holiday
    ['2024-02-10', 'holiday'],
    ['2024-02-17', 'holiday'],
    ['2024-02-18', 'make_up_workday'],
    ['2024-04-04', 'holiday'],
    ['2024-04-06', 'holiday'],
    ['2024-04-07', 'make_up_workday'],
    ['2024-04-28', 'make_up_workday'],
    ['2024-05-01', 'holiday'],
    ['2024-05-05', 'holiday'],
    ['2024-05-06', 'weekday'],
    ['2024-05-11', 'make_up_workday'],
    ['2024-06-08', 'weekend'],
    ['2024-06-10', 'holiday'],
    ['2024-09-14', 'make_up_workday'],
    ['2024-09-15', 'holiday'],
    ['2024-09-17', 'holiday'],
    ['2024-09-29', 'make_up_workday'],
    ['2024-10-01', 'holiday'],
    ['2024-10-07', 'holiday'],
    ['2024-10-08', 'weekday'],
    ['2024-10-12', 'make_up_workday'],
  ],
  2025: [
    ['2025-01-01', 'holiday'],
    ['2025-01-02', 'weekday'],
    ['2025-01-26', 'make_up_workday'],
    ['2025-01-28', 'holiday'],
    ['2025-02-04', 'holiday'],
    ['2025-02-05', 'weekday'],
    ['2025-02-08', 'make_up_workday'],
    ['2025-04-04', 'holiday'],
    ['2025-04-06', 'holiday'],
    ['2025-04-27', 'make_up_workday'],
    ['2025-05-01', 'holiday'],
    ['2025-05-05', 'holiday'],
    ['2025-05-31', 'holiday'],
    ['2025-06-02', 'holiday'],
    ['2025-06-03', 'weekday'],
    ['2025-09-28', 'make_up_workday'],
    ['2025-10-01', 'holiday'],
    ['2025-10-06', 'holiday'], // 中秋节 inside the merged National Day break
    ['2025-10-08', 'holiday'],
    ['2025-10-09', 'weekday'],
    ['2025-10-11', 'make_up_workday'],
  ],
  2026: [
    ['2026-01-01', 'holiday'],
    ['2026-01-03', 'holiday'],
    ['2026-01-04', 'make_up_workday'],
    ['2026-02-14', 'make_up_workday'],
    ['2026-02-15', 'holiday'],
    ['2026-02-23', 'holiday'],
    ['2026-02-24', 'weekday'],
    ['2026-02-28', 'make_up_workday'],
    ['2026-04-04', 'holiday'],
    ['2026-04-06', 'holiday'],
    ['2026-04-07', 'weekday'],
    ['2026-05-01', 'holiday'],
    ['2026-05-05', 'holiday'],
    ['2026-05-09', 'make_up_workday'],
    ['2026-06-19', 'holiday'],
    ['2026-06-21', 'holiday'],
    ['2026-06-22', 'weekday'],
    ['2026-09-20', 'make_up_workday'],
    ['2026-09-25', 'holiday'],
    ['2026-09-27', 'holiday'],
    ['2026-10-01', 'holiday'],
    ['2026-10-07', 'holiday'],
    ['2026-10-08', 'weekday'],
    ['2026-10-10', 'make_up_workday'],
  ],
};

describe('the holiday data', () => {
  it('covers 2024 to 2026', () => {
    // Act
    const calendar = defaultHolidayCalendar();

    // Assess
    expect([2024, 2025, 2026].every((year) => calendar.years.has(year))).toBe(true);
  });

  for (const [year, days] of Object.entries(NOTICES)) {
    it.each(days)(`matches the ${year} notice: %s is a %s`, (date, type) => {
      // Act
      const info = dayInfo(defaultHolidayCalendar(), date);

      // Assess
      expect(info.type).toBe(type);
      expect(info.uncoveredYears).toEqual([]);
    });
  }

  it('has as many days off per holiday as the notices say', () => {
    // Prepare
    const calendar = defaultHolidayCalendar();
    const counts = new Map<string, number>();

    // Act
    for (const [date, name] of calendar.holidays) counts.set(`${date.slice(0, 4)} ${name}`, (counts.get(`${date.slice(0, 4)} ${name}`) ?? 0) + 1);

    // Assess
    expect(Object.fromEntries(counts)).toEqual({
      '2024 元旦': 1, '2024 春节': 8, '2024 清明节': 3, '2024 劳动节': 5, '2024 端午节': 1, '2024 中秋节': 3, '2024 国庆节': 7,
      '2025 元旦': 1, '2025 春节': 8, '2025 清明节': 3, '2025 劳动节': 5, '2025 端午节': 3, '2025 国庆节、中秋节': 8,
      '2026 元旦': 3, '2026 春节': 9, '2026 清明节': 3, '2026 劳动节': 5, '2026 端午节': 3, '2026 中秋节': 3, '2026 国庆节': 7,
    });
  });
});
