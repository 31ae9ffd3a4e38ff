import { Application } from '../../shared/domain/records.ts';
import { log } from '../../shared/log.ts';
import type { Deps } from '../../shared/ports/deps.ts';
import { reviewRunName } from '../../shared/use-cases/submit-application.ts';
import { scanEntities } from './scan-entities.ts';

/** Statuses in which a review execution should be running. */
const IN_FLIGHT = ['submitted', 'under_review', 'rejected'];

/**
 * Local executions live in this process's memory, so a restart loses them. Every application whose workflow should
 * be running gets a new run; the workflow routes by the stored status and resumes at the right wait (a fresh token is
 * stored; a decision already recorded is picked up). In AWS, executions survive on their own.
 */
export async function resumeApplications(deps: Deps, tableName: string): Promise<number> {
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
