import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { workflowDeps } from '../../shared/adapters/deps/workflow-deps.ts';
import { stripKeys } from '../../shared/adapters/dynamo/keys.ts';
import { OutboxEvent } from '../../shared/domain/records.ts';
import { log } from '../../shared/log.ts';
import { businessKeys, observed } from '../../shared/observability/invocation.ts';
import { dispatchEvent, endpointsOncePerTenant } from '../../shared/use-cases/webhooks/deliveries.ts';

const bindDeps = compose(tableDeps, workflowDeps);

/**
 * The table's stream (filtered to inserted outbox events) → one delivery workflow per subscribed endpoint (the
 * endpoints of each tenant read once per batch of records).
 * Reports failed records individually so one bad record does not hold up the rest of the shard.
 */
export const handler = observed(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const deps = bindDeps();
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  const endpointsOf = endpointsOncePerTenant(deps);
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (!image) continue;
    try {
      const outbox = OutboxEvent.parse(stripKeys(unmarshall(image as Record<string, AttributeValue>)));
      businessKeys({ tenantId: outbox.tenantId, ...keysOf(outbox) });
      await dispatchEvent(deps, outbox, endpointsOf);
    } catch (error) {
      log.error('dispatch failed', { eventID: record.eventID, error });
      batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
      // Records after a failure must wait for it (order per application), so stop here.
      break;
    }
  }
  return { batchItemFailures };
});

/** The application (and batch) an outbox event is about. */
function keysOf(outbox: OutboxEvent): { applicationId?: string; batchId?: string } {
  const data: { applicationId?: string; batchId?: string } = outbox.event.data;
  return { applicationId: data.applicationId, batchId: data.batchId };
}
