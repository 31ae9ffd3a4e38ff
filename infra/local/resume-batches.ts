import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { stripKeys } from '../../shared/adapters/dynamo/keys.ts';
import type { BatchDeps } from '../../shared/ports/batch-services.ts';
import type { Deps } from '../../shared/ports/deps.ts';
import { Batch } from '../../shared/domain/batch.ts';
import { log } from '../../shared/log.ts';
import { restartIngestion } from '../../shared/use-cases/batches/start-ingestion.ts';

/**
 * Local executions live in this process's memory, so a restart loses the ingestion runs too. Every batch still
 * ingesting gets a new run, which carries on from the cursor the batch record holds (rows already written are found,
 * not written again). In AWS, executions survive on their own. Call it on start, after `resumeApplications`.
 */
export async function resumeBatches(deps: Pick<Deps, 'clock'> & Pick<BatchDeps, 'batches' | 'ingestion'>, tableName: string): Promise<number> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  let resumed = 0;
  const pages = paginateScan(
    { client },
    {
      TableName: tableName,
      FilterExpression: 'entity = :batch AND #status = :ingesting',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':batch': 'batch', ':ingesting': 'ingesting' },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      await restartIngestion(deps, Batch.parse(stripKeys(item)));
      resumed++;
    }
  }
  if (resumed > 0) log.info('resumed batch ingestions', { count: resumed });
  return resumed;
}
