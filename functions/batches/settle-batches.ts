import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { stripKeys } from '../../shared/adapters/dynamo/keys.ts';
import { batchDeps } from '../../shared/adapters/deps/batch-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { OutboxEvent } from '../../shared/domain/records.ts';
import { log } from '../../shared/log.ts';
import { businessKeys, observed } from '../../shared/observability/invocation.ts';
import { batchesToSettle, settleBatch } from '../../shared/use-cases/batches/settle-batch.ts';

const bindDeps = compose(tableDeps, batchDeps);

/**
 * The table's stream (filtered to final-status events of batch applications) → each batch concerned is completed
 * when every row has reached an end. A failure reports the whole batch of records, to be retried.
 */
export const handler = observed(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const deps = bindDeps();
  const events = event.Records.flatMap((record) => {
    const image = record.dynamodb?.NewImage;
    return image ? [OutboxEvent.parse(stripKeys(unmarshall(image as Record<string, AttributeValue>)))] : [];
  });
  try {
    for (const batchId of batchesToSettle(events)) {
      businessKeys({ batchId });
      await settleBatch(deps, batchId);
    }
    return { batchItemFailures: [] };
  } catch (error) {
    log.error('settling batches failed', { error });
    // Settling is idempotent: the whole batch of records is retried.
    return { batchItemFailures: event.Records.slice(0, 1).map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? '' })) };
  }
});
