import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { stripKeys } from '../../shared/adapters/dynamo/keys.ts';

/**
 * Every item of one entity in one of the given statuses, read by a full scan — for the local runtime's start-up
 * resume only (a small local table; in AWS nothing scans).
 */
export async function* scanEntities(tableName: string, entity: string, statuses: string[]): AsyncGenerator<Record<string, unknown>> {
  const names = statuses.map((_, i) => `:s${i}`);
  const items = scanItems(tableName, {
    expression: `entity = :entity AND #status IN (${names.join(', ')})`,
    names: { '#status': 'status' },
    values: Object.fromEntries([[':entity', entity], ...statuses.map((s, i) => [names[i], s])]),
  });
  for await (const item of items) yield stripKeys(item);
}

/** Every item matching a filter, keys and all, by a full scan (the local runtime's start-up only). */
export async function* scanItems(
  tableName: string,
  filter: { expression: string; values: Record<string, unknown>; names?: Record<string, string> },
): AsyncGenerator<Record<string, unknown>> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const pages = paginateScan(
    { client },
    {
      TableName: tableName,
      FilterExpression: filter.expression,
      ExpressionAttributeValues: filter.values,
      ...(filter.names ? { ExpressionAttributeNames: filter.names } : {}),
    },
  );
  for await (const page of pages) for (const item of page.Items ?? []) yield item;
}

/** Deletes items by key, 25 a call (what DynamoDB leaves unprocessed is sent again). */
export async function deleteItems(tableName: string, keys: Record<string, unknown>[]): Promise<void> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  for (let from = 0; from < keys.length; from += 25) {
    let pending = keys.slice(from, from + 25).map((Key) => ({ DeleteRequest: { Key } }));
    while (pending.length > 0) {
      const out = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (out.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  }
}
