import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';

/**
 * Why an order could not take a filing's guard: the filing was cancelled (an approved cancellation left its guard as
 * a tombstone), or an order is open on it — naming the application holding it only to that application's own tenant.
 */
export type TakenFiling = { state: 'cancelled'; cancelledAt?: string } | { state: 'open'; holderId?: string };

/** Reads the guard of `filingNumber` (consistently: it was just found taken) as `tenantId` may see it. */
export async function readTakenFiling(
  client: DynamoDBDocumentClient,
  tableName: string,
  filingNumber: string,
  tenantId: string,
): Promise<TakenFiling> {
  const out = await client.send(new GetCommand({ TableName: tableName, Key: keys.filingGuard(filingNumber), ConsistentRead: true }));
  const guard = out.Item as { applicationId?: string; tenantId?: string; state?: string; cancelledAt?: string } | undefined;
  if (guard?.state === 'cancelled') return { state: 'cancelled', ...(guard.cancelledAt ? { cancelledAt: guard.cancelledAt } : {}) };
  return { state: 'open', ...(guard?.tenantId === tenantId && guard.applicationId ? { holderId: guard.applicationId } : {}) };
}
