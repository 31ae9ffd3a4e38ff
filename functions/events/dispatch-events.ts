import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { metricsDeps } from '../../shared/adapters/deps/metrics-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { webhookDeps } from '../../shared/adapters/deps/webhook-deps.ts';
import { workflowDeps } from '../../shared/adapters/deps/workflow-deps.ts';
import { stripKeys } from '../../shared/adapters/dynamo/keys.ts';
import { OutboxEvent } from '../../shared/domain/records.ts';
import { log } from '../../shared/log.ts';
import { businessKeys, observed } from '../../shared/observability/invocation.ts';
import { dispatchEvent, endpointsOncePerTenant, type InlineBudget } from '../../shared/use-cases/webhooks/deliveries.ts';
import { WEBHOOK_TIMEOUT_MS } from '../../shared/webhooks/http-sender.ts';

const bindDeps = compose(tableDeps, workflowDeps, webhookDeps, metricsDeps);

/**
 * What the dispatcher keeps of its time when it stops making first attempts itself: one attempt's whole timeout and
 * then some, so the attempt under way and the starts of the deliveries left to their workflows end within the
 * function's timeout.
 */
const INLINE_RESERVE_MS = WEBHOOK_TIMEOUT_MS + 10_000;

/** First attempts while the invocation has time for one more (always, where there is no Lambda context). */
function inlineBudget(context: Context | undefined): InlineBudget {
  return () => context === undefined || context.getRemainingTimeInMillis() > INLINE_RESERVE_MS;
}

/**
 * The table's stream (filtered to inserted outbox events) → for each subscribed endpoint a delivery record and its
 * first attempt, made here; only a failed first attempt starts the retry workflow (the endpoints of each tenant read
 * once per batch of records).
 * Reports failed records individually so one bad record does not hold up the rest of the shard.
 */
export const handler = observed(async (event: DynamoDBStreamEvent, context): Promise<DynamoDBBatchResponse> => {
  const deps = bindDeps();
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  const endpointsOf = endpointsOncePerTenant(deps);
  const canAttempt = inlineBudget(context);
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (!image) continue;
    try {
      const outbox = OutboxEvent.parse(stripKeys(unmarshall(image as Record<string, AttributeValue>)));
      businessKeys({ tenantId: outbox.tenantId, ...keysOf(outbox) });
      await dispatchEvent(deps, outbox, endpointsOf, canAttempt);
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
