import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addBusinessDays,
  buildHolidayCalendar,
  DEFAULT_HOLIDAY_DATA_DIR,
  HolidayDataError,
  loadHolidayCalendar,
} from '../../../../shared/domain/calendar/index.ts';

const year2027 = {
  year: 2027,
  source: { title: 'test notice', published: '2026-11-01', urls: ['https://example.invalid/2027'] },
  holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }],
  makeUpWorkdays: [],
};

function dataDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'holidays-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(content));
  return dir;
}

const real2026 = JSON.parse(readFileSync(join(DEFAULT_HOLIDAY_DATA_DIR, '2026.json'), 'utf8'));

describe('loadHolidayCalendar', () => {
  it('picks up a new year from its file alone', () => {
    // Prepare
    const dir = dataDir({ '2026.json': real2026, '2027.json': year2027, 'README.md': 'ignored' });

    // Act
    const calendar = loadHolidayCalendar(dir);
    const result = addBusinessDays('2026-12-30', 2, calendar);

    // Assess
    expect([...calendar.years].sort()).toEqual([2026, 2027]);
    expect(result).toEqual({ value: '2027-01-04', estimate: false });
  });

  it('refuses a file whose name and year differ', () => {
    // Prepare
    const dir = dataDir({ '2028.json': year2027 });

    // Assess
    expect(() => loadHolidayCalendar(dir)).toThrow(HolidayDataError);
  });

  it('refuses a file that is not JSON', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'holidays-'));
    writeFileSync(join(dir, '2027.json'), '{ not json');

    // Assess
    expect(() => loadHolidayCalendar(dir)).toThrow(/cannot read holiday file/);
  });
});

describe('buildHolidayCalendar', () => {
  it.each([
    ['a make-up workday on a weekday', { ...year2027, makeUpWorkdays: ['2027-01-05'] }, /not a Saturday or Sunday/],
    ['a day both off and on', { ...year2027, makeUpWorkdays: ['2027-01-02'] }, /both a holiday and a workday/],
    ['a reversed range', { ...year2027, holidays: [{ name: 'x', from: '2027-01-03', to: '2027-01-01' }] }, /ends before/],
    ['a date outside the year', { ...year2027, holidays: [{ name: 'x', from: '2026-06-01', to: '2026-06-01' }] }, /outside the year/],
    ['an impossible date', { ...year2027, makeUpWorkdays: ['2027-02-30'] }, /invalid holiday year file/],
    ['an unknown field', { ...year2027, extra: true }, /invalid holiday year file/],
  ])('refuses %s', (_what, file, message) => {
    // Assess
    expect(() => buildHolidayCalendar([file])).toThrow(message);
  });

  it('refuses two files for one year', () => {
    // Assess
    expect(() => buildHolidayCalendar([year2027, year2027])).toThrow(/two holiday files/);
  });

  it('accepts a New Year arrangement that reaches into the last days of the year before', () => {
    // Prepare: as the 2019 notice did (2018-12-29 worked, 2018-12-30 to 2019-01-01 off).
    const file = { ...year2027, holidays: [{ name: '元旦', from: '2026-12-31', to: '2027-01-03' }] };

    // Act
    const calendar = buildHolidayCalendar([file]);

    // Assess
    expect(calendar.holidays.get('2026-12-31')).toBe('元旦');
  });
});
