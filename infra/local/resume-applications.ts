import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Application } from '../../shared/domain/records.ts';
import { stripKeys } from '../../shared/adapters/dynamo/keys.ts';
import { log } from '../../shared/log.ts';
import type { Deps } from '../../shared/ports/deps.ts';
import { reviewRunName } from '../../shared/use-cases/submit-application.ts';

/** Statuses in which a review execution should be running. */
const IN_FLIGHT = ['submitted', 'under_review', 'rejected'];

/**
 * Local executions live in this process's memory, so a restart loses them. Every application whose workflow should
 * be running gets a new run; the workflow routes by the stored status and resumes at the right wait (a fresh token is
 * stored; a decision already recorded is picked up). In AWS, executions survive on their own.
 */
export async function resumeApplications(deps: Deps, tableName: string): Promise<number> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  let resumed = 0;
  const pages = paginateScan(
    { client },
    {
      TableName: tableName,
      FilterExpression: 'entity = :app AND #status IN (:s0, :s1, :s2)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':app': 'application', ':s0': IN_FLIGHT[0], ':s1': IN_FLIGHT[1], ':s2': IN_FLIGHT[2] },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const app = Application.parse(stripKeys(item));
      const next = await deps.applications.update(app, { workflowRuns: app.workflowRuns + 1, pendingTask: undefined });
      await deps.review.start({ applicationId: next.id, tenantId: next.tenantId, name: reviewRunName(next) });
      resumed++;
    }
  }
  if (resumed > 0) log.info('resumed review workflows', { count: resumed });
  return resumed;
}
