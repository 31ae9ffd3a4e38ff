import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** A document client that drops `undefined` fields (optional record fields) instead of failing on them. */
export function makeDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return documentClientOf(new DynamoDBClient(config));
}

/** The same document client around a DynamoDB client built (and traced) by the caller. */
export function documentClientOf(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** True for the error DynamoDB raises when a condition or a transaction's condition fails. */
export function isConditionFailure(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException';
}

/** The reason codes of a cancelled transaction, one per item, in order (`None` for items that were fine). */
export function cancellationReasons(error: unknown): string[] {
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}

/** DynamoDB's own retryable faults (throttling, a transaction racing another). */
export function isRetryableDynamoError(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  if (name === 'TransactionCanceledException') return cancellationReasons(error).some((c) => c === 'TransactionConflict' || c === 'ThrottlingError');
  return name === 'ProvisionedThroughputExceededException' || name === 'ThrottlingException' || name === 'TransactionConflictException';
}
