import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../domain/errors.ts';

/** A page cursor is the query's LastEvaluatedKey, base64url-encoded JSON: opaque to clients. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The ExclusiveStartKey a cursor stands for. It must belong to the partition being read (`partition`: the index's
 * partition key attribute and value): a cursor from another list, another tenant's or a forged one is a 400, never a
 * way to read another partition or an engine error.
 */
export function decodeCursor(cursor: string, partition: { attribute: string; value: string }): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && (parsed as Record<string, unknown>)[partition.attribute] === partition.value) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('The cursor is not valid.', {
    errors: [{ path: 'cursor', code: 'invalid_cursor', message: 'Use the nextCursor of the previous page, unchanged, or start without one.' }],
  });
}

/**
 * One page of a secondary index's partition, newest first (the sort keys start with the creation time): the items as
 * read, and the cursor of the next page. A cursor is checked to belong to `partition` before it is used.
 */
export async function queryNewestFirst(
  client: DynamoDBDocumentClient,
  tableName: string,
  index: 'gsi1' | 'gsi2',
  partition: { attribute: string; value: string },
  options: { limit: number; cursor?: string },
): Promise<{ items: Record<string, unknown>[]; nextCursor?: string }> {
  const out = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: index,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': partition.attribute },
      ExpressionAttributeValues: { ':pk': partition.value },
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: options.cursor ? decodeCursor(options.cursor, partition) : undefined,
    }),
  );
  return { items: out.Items ?? [], ...(out.LastEvaluatedKey ? { nextCursor: encodeCursor(out.LastEvaluatedKey) } : {}) };
}
