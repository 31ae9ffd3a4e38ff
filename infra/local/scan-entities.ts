import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { stripKeys } from '../../shared/adapters/dynamo/keys.ts';

/**
 * Every item of one entity in one of the given statuses, read by a full scan — for the local runtime's start-up
 * resume only (a small local table; in AWS nothing scans).
 */
export async function* scanEntities(tableName: string, entity: string, statuses: string[]): AsyncGenerator<Record<string, unknown>> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const names = statuses.map((_, i) => `:s${i}`);
  const pages = paginateScan(
    { client },
    {
      TableName: tableName,
      FilterExpression: `entity = :entity AND #status IN (${names.join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: Object.fromEntries([[':entity', entity], ...statuses.map((s, i) => [names[i], s])]),
    },
  );
  for await (const page of pages) for (const item of page.Items ?? []) yield stripKeys(item);
}
