import type { Application } from '../../domain/records.ts';
import type { Settings } from '../../ports/deps.ts';

const DAY = 86_400;

/**
 * Review SLA per kind, in calendar days, as the wait before an overdue notice. Provinces decide most cancellations
 * within 1–20 business days (≈ 28 calendar days); a licence cancellation has a 30-day public notice and up to 60 days
 * of decision (DOMAIN.md).
 */
const REVIEW_SLA_DAYS: Record<Application['kind'], number> = {
  cancel_subject: 28,
  cancel_website: 28,
  cancel_access: 28,
  cancel_licence: 60,
};

/** What the workflow needs to know of an application to route and to time its waits. */
export interface WorkflowView {
  status: Application['status'];
  attempt: number;
  reviewTimeoutSeconds: number;
  correctionTimeoutSeconds: number;
}

export function workflowView(app: Application, settings: Pick<Settings, 'correctionWindowDays'>): WorkflowView {
  return {
    status: app.status,
    attempt: app.attempt,
    reviewTimeoutSeconds: REVIEW_SLA_DAYS[app.kind] * DAY,
    correctionTimeoutSeconds: settings.correctionWindowDays * DAY,
  };
}
