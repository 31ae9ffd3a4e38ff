import { Application } from '../../shared/domain/records.ts';
import { log } from '../../shared/log.ts';
import type { Deps } from '../../shared/ports/deps.ts';
import { reviewRunName } from '../../shared/use-cases/submit-application.ts';
import { deleteItems, scanEntities, scanItems } from './scan-entities.ts';

/** Statuses in which a review execution should be running. */
const IN_FLIGHT = ['submitted', 'under_review', 'rejected'];

/**
 * Local executions live in this process's memory, so a restart loses them. Every application whose workflow should
 * be running gets a new run; the workflow routes by the stored status and resumes at the right wait (a fresh token is
 * stored; a decision already recorded is picked up). In AWS, executions survive on their own.
 */
export async function resumeApplications(deps: Deps, tableName: string): Promise<number> {
  await discardReviewStarts(tableName);
  let resumed = 0;
  for await (const item of scanEntities(tableName, 'application', IN_FLIGHT)) {
    const app = Application.parse(item);
    const next = await deps.applications.update(app, { workflowRuns: app.workflowRuns + 1, pendingTask: undefined });
    await deps.review.start({ applicationId: next.id, tenantId: next.tenantId, name: reviewRunName(next) });
    resumed++;
  }
  if (resumed > 0) log.info('resumed review workflows', { count: resumed });
  return resumed;
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
