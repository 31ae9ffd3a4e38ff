import { mapConcurrently } from '../../shared/concurrency.ts';
import { Application } from '../../shared/domain/records.ts';
import { log } from '../../shared/log.ts';
import type { Deps } from '../../shared/ports/deps.ts';
import { reviewRunName } from '../../shared/use-cases/submit-application.ts';
import { deleteItems, scanEntities, scanItems } from './scan-entities.ts';

/** Statuses in which a review execution should be running. */
const IN_FLIGHT = ['submitted', 'under_review', 'rejected'];
/** Tries per application before the start gives up (each after a fresh read, with a backoff from 0.2 s). */
const RESUME_ATTEMPTS = 5;
const RESUME_CONCURRENCY = 8;

/**
 * Local executions live in this process's memory, so a restart loses them. Every application whose workflow should
 * be running gets a new run; the workflow routes by the stored status and resumes at the right wait (a fresh token is
 * stored; a decision already recorded is picked up). In AWS, executions survive on their own.
 */
export async function resumeApplications(deps: Pick<Deps, 'applications' | 'review'>, tableName: string): Promise<number> {
  await discardReviewStarts(tableName);
  const inFlight: Application[] = [];
  for await (const item of scanEntities(tableName, 'application', IN_FLIGHT)) inFlight.push(Application.parse(item));
  // Several at once: each is a few round trips, and the API waits for all of them (a restart's downtime).
  const resumed = (await mapConcurrently(inFlight, RESUME_CONCURRENCY, (app) => resumeApplication(deps, app))).filter(Boolean).length;
  if (resumed > 0) log.info('resumed review workflows', { count: resumed });
  return resumed;
}

/**
 * One application's new run: its run counter moved on (so the old run's name is never reused), then the start. A
 * failed try is made again from a fresh read, a few times: the runtime's own calls share the functions' clients and
 * take a fault plan's throttling too (FAULTS), and an application that changed since the scan (a version conflict)
 * is read again, not a reason for the whole start to fail. One no longer in flight by then needs no run.
 */
async function resumeApplication(deps: Pick<Deps, 'applications' | 'review'>, scanned: Application): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      const app = attempt === 1 ? scanned : await deps.applications.get(scanned.id);
      if (!app || !IN_FLIGHT.includes(app.status)) return false;
      const next = await deps.applications.update(app, { workflowRuns: app.workflowRuns + 1, pendingTask: undefined });
      await deps.review.start({ applicationId: next.id, tenantId: next.tenantId, name: reviewRunName(next) });
      return true;
    } catch (error) {
      if (attempt >= RESUME_ATTEMPTS) throw error;
      log.warn('resuming a review workflow failed; trying again', { applicationId: scanned.id, attempt, error });
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

/**
 * Review starts still queued name runs this restart supersedes (each application in flight gets a new run just
 * after): started later, they would run an application's review twice. Deliveries stay queued (the sweep starts them).
 */
async function discardReviewStarts(tableName: string): Promise<void> {
  const requests = [];
  for await (const item of scanItems(tableName, { expression: 'entity = :entity AND machine = :review', values: { ':entity': 'start_request', ':review': 'review' } })) {
    requests.push({ pk: item.pk, sk: item.sk });
  }
  await deleteItems(tableName, requests);
  if (requests.length > 0) log.info('discarded superseded review starts', { count: requests.length });
}
