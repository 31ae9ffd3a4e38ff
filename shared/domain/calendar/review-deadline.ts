import * as z from '../../zod.ts';
import { CancellationKind } from '../application.ts';
import { addBusinessDays, type CalendarResult } from './business-days.ts';
import { dayNumber, fromDayNumber, toChinaDate } from './china-date.ts';
import { dayInfo, type HolidayCalendar } from './holiday-calendar.ts';
import { defaultHolidayCalendar } from './load-holiday-calendar.ts';

/**
 * How long the authority may take to decide, per cancellation kind, from the day it received the order.
 *
 * Defaults (DOMAIN.md "The review"; the longest reading, so that "overdue" is never raised too early):
 * - cancel_subject, cancel_website, cancel_access: 20 business days (provinces decide "within 1–20 工作日").
 * - cancel_licence: 60 calendar days (the licence authority; sources say 60, some 20), rolled forward to the next
 *   business day when it ends on a day off, as Chinese law does for periods ending on a holiday (民法典 第二百零三条).
 * Each is a setting; pass overrides for an agency or province that promises less.
 */

export const DeadlineRule = z.strictObject({
  unit: z.enum(['business_days', 'calendar_days']),
  amount: z.number().check(z.int(), z.positive()),
  /** For calendar days: move a deadline that falls on a day off to the next business day. */
  rollToBusinessDay: z._default(z.boolean(), true),
});
export type DeadlineRule = z.infer<typeof DeadlineRule>;

export const ReviewDeadlineSettings = z.record(CancellationKind, DeadlineRule);
export type ReviewDeadlineSettings = z.infer<typeof ReviewDeadlineSettings>;

export const DEFAULT_REVIEW_DEADLINES: ReviewDeadlineSettings = {
  cancel_subject: { unit: 'business_days', amount: 20, rollToBusinessDay: true },
  cancel_website: { unit: 'business_days', amount: 20, rollToBusinessDay: true },
  cancel_access: { unit: 'business_days', amount: 20, rollToBusinessDay: true },
  cancel_licence: { unit: 'calendar_days', amount: 60, rollToBusinessDay: true },
};

/** Overrides per kind, as written in configuration (`rollToBusinessDay` may be left out). */
export type ReviewDeadlineOverrides = Partial<Record<CancellationKind, z.input<typeof DeadlineRule>>>;

export type ReviewDeadline = CalendarResult<string> & { rule: DeadlineRule };

/**
 * The last day (`YYYY-MM-DD`, China) the authority has for an order of `kind` received on `fromDate`; the day of
 * receipt is not counted. Marked as an estimate when it depends on a year the holiday calendar does not cover.
 */
export function reviewDeadline(
  kind: CancellationKind,
  fromDate: Date | string,
  overrides: ReviewDeadlineOverrides = {},
  calendar: HolidayCalendar = defaultHolidayCalendar(),
): ReviewDeadline {
  const override = overrides[kind];
  const rule = override ? DeadlineRule.parse(override) : DEFAULT_REVIEW_DEADLINES[kind];
  const from = toChinaDate(fromDate);
  if (rule.unit === 'business_days') return { ...addBusinessDays(from, rule.amount, calendar), rule };

  const end = fromDayNumber(dayNumber(from) + rule.amount);
  if (!rule.rollToBusinessDay) return { value: end, estimate: false, rule };
  const info = dayInfo(calendar, end);
  if (info.businessDay) {
    return info.uncoveredYears.length === 0
      ? { value: end, estimate: false, rule }
      : { value: end, estimate: true, uncoveredYears: info.uncoveredYears, rule };
  }
  const rolled = addBusinessDays(end, 1, calendar);
  const uncovered = [...new Set([...info.uncoveredYears, ...(rolled.estimate ? rolled.uncoveredYears : [])])].sort((a, b) => a - b);
  return uncovered.length === 0
    ? { value: rolled.value, estimate: false, rule }
    : { value: rolled.value, estimate: true, uncoveredYears: uncovered, rule };
}
