import type { Application, TimelineEntry } from '../domain/records.ts';
import type { Deps } from '../ports/deps.ts';
import { rowOfApplication } from './batches/batch-keys.ts';
import { SUBMISSION_DETAIL } from './submit-application.ts';

/**
 * Entry 1 of every timeline, the creation, as read off the application itself: it is not stored, because everything
 * it says is in the application's record (created as a draft at `createdAt`, from a batch and row, or not). That is a
 * write less for every creation — one item less per row when a batch creates thousands of applications.
 */
export function creationEntry(app: Pick<Application, 'id' | 'batchId' | 'createdAt'>): TimelineEntry {
  const row = app.batchId === undefined ? undefined : rowOfApplication(app.batchId, app.id);
  const origin = app.batchId === undefined ? '' : ` (batch ${app.batchId}${row === undefined ? '' : `, row ${row}`})`;
  return { sequence: 1, status: 'draft', at: app.createdAt, detail: `Application created${origin}` };
}

/**
 * Entry 2 of an application created submitted (`submittedOnCreation`: a batch row submitted `immediately`), read off
 * the application as the creation is: submitted when it was created. One item less for each such row.
 */
export function submissionEntry(app: Pick<Application, 'createdAt'>): TimelineEntry {
  return { sequence: 2, status: 'submitted', at: app.createdAt, detail: SUBMISSION_DETAIL };
}

/**
 * The whole timeline of an application: what is read off the application (its creation; its submission when it was
 * created submitted), then every status change stored since. Applications written before an entry was derived have
 * it stored; a stored entry is kept as it is.
 */
export async function applicationTimeline(deps: Pick<Deps, 'applications'>, app: Application): Promise<TimelineEntry[]> {
  const stored = await deps.applications.timeline(app.id);
  const derived = [creationEntry(app), ...(app.submittedOnCreation ? [submissionEntry(app)] : [])];
  const storedSequences = new Set(stored.map((entry) => entry.sequence));
  return [...derived.filter((entry) => !storedSequences.has(entry.sequence)), ...stored];
}
