import { chinaToday } from '../../domain/calendar/china-date.ts';
import { reviewDeadline } from '../../domain/calendar/review-deadline.ts';
import type { Application, ReviewDeadlineRecord } from '../../domain/records.ts';
import type { Settings } from '../../ports/deps.ts';

const DAY = 86_400;
const CHINA_OFFSET = '+08:00';

/**
 * The review deadline of an order of `kind` handed to the authority at `at`: the authority's period (20 business days
 * for filings, 60 calendar days for a licence; `reviewDeadline`) counted from that day in China. Marked as an
 * estimate when it reaches into a year the holiday calendar does not cover.
 */
export function reviewDeadlineFor(kind: Application['kind'], at: Date): ReviewDeadlineRecord {
  const deadline = reviewDeadline(kind, chinaToday(at));
  return deadline.estimate
    ? { date: deadline.value, estimate: true, uncoveredYears: deadline.uncoveredYears }
    : { date: deadline.value, estimate: false };
}

/** Whole seconds from `now` to the end of `date` (China time); ≤ 0 when that day is over. */
export function secondsUntilEndOf(date: string, now: Date): number {
  const end = Date.parse(`${date}T00:00:00${CHINA_OFFSET}`) + DAY * 1000;
  return Math.ceil((end - now.getTime()) / 1000);
}

/** What the workflow needs to know of an application to route and to time its waits. */
export interface WorkflowView {
  status: Application['status'];
  attempt: number;
  /** Until the end of the review deadline's day; the wait before an overdue notice. */
  reviewTimeoutSeconds: number;
  /** The review deadline the timeout runs to (China date), and whether it is an estimate. */
  reviewDeadline: string;
  reviewDeadlineEstimate: boolean;
  correctionTimeoutSeconds: number;
}

/**
 * The application as the review workflow sees it. The review timeout runs to the end of the deadline stored at
 * submission; when that has passed (an execution resumed late, or an overdue review waiting again), to a fresh
 * deadline counted from today, so overdue notices come at most once per review period.
 */
export function workflowView(app: Application, settings: Pick<Settings, 'correctionWindowDays'>, now: Date): WorkflowView {
  const stored = app.reviewDeadline;
  const deadline = stored && secondsUntilEndOf(stored.date, now) > 0 ? stored : reviewDeadlineFor(app.kind, now);
  return {
    status: app.status,
    attempt: app.attempt,
    reviewTimeoutSeconds: secondsUntilEndOf(deadline.date, now),
    reviewDeadline: deadline.date,
    reviewDeadlineEstimate: deadline.estimate,
    correctionTimeoutSeconds: settings.correctionWindowDays * DAY,
  };
}
