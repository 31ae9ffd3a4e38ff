import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letters.ts';
import { acknowledgeWildcardResource } from './nag.ts';

export interface OutboxDispatchProps {
  /** The records table; its stream carries every item written, the outbox events among them. */
  table: dynamodb.ITable;
  /** Turns a batch of outbox events into delivery executions. */
  dispatcher: lambda.Function;
}

/**
 * Feeds outbox events from the table's stream to the dispatcher. The filter lets only newly inserted
 * `entity = "event"` items through, so the dispatcher is not invoked (nor billed) for the many other writes.
 *
 * A failing batch is halved until the bad record is isolated, retried a few times, and then its stream coordinates go
 * to the dead-letter queue, so one poison event never stalls the stream shard (and every event behind it).
 */
export class OutboxDispatch extends Construct {
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: OutboxDispatchProps) {
    super(scope, id);

    this.deadLetters = deadLetterQueue(this, 'the outbox dispatch stream mapping');

    props.dispatcher.addEventSource(
      new DynamoEventSource(props.table, {
        // From the oldest record still in the stream: events written before the mapping existed are not lost.
        // The dispatcher names delivery executions after the event and endpoint, so a replay starts nothing twice.
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 25,
        maxBatchingWindow: Duration.seconds(1),
        // The dispatcher reports the first failed record; the stream resumes from it instead of redoing the batch.
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 5,
        onFailure: new SqsDlq(this.deadLetters),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { entity: { S: lambda.FilterRule.isEqual('event') } } },
          }),
        ],
      }),
    );
    if (props.dispatcher.role) {
      acknowledgeWildcardResource(
        props.dispatcher.role,
        '*',
        'dynamodb:ListStreams (granted for the stream mapping) has no resource-level permissions; the stream reads are on the one stream ARN.',
      );
    }
  }
}
