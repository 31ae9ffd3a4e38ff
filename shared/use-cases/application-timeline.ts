import type { Application, TimelineEntry } from '../domain/records.ts';
import type { Deps } from '../ports/deps.ts';
import { rowOfApplication } from './batches/batch-keys.ts';

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
 * The whole timeline of an application: its creation, then every status change stored since. Applications written
 * before the creation entry was derived have it stored as entry 1; that one is kept as it is.
 */
export async function applicationTimeline(deps: Pick<Deps, 'applications'>, app: Application): Promise<TimelineEntry[]> {
  const stored = await deps.applications.timeline(app.id);
  return stored[0]?.sequence === 1 ? stored : [creationEntry(app), ...stored];
}
