import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FINAL_STATUSES } from '../../shared/domain/application.ts';
import { BATCH_EVIDENCE_PREFIX, BATCH_MANIFEST_PREFIX } from '../../shared/use-cases/batches/batch-keys.ts';
import { acknowledgeWildcardResource } from './nag.ts';
import { deadLetterQueue, keepFailedS3Events } from './dead-letters.ts';

export interface BatchEventsProps {
  /**
   * The bucket reference the evidence notifications are declared on: notifications of one bucket must all go through
   * the same reference (one custom resource writes the bucket's whole configuration).
   */
  notificationBucket: s3.IBucket;
  /** Starts ingestion when a manifest lands. */
  manifestUploaded: lambda.IFunction;
  /** Checks each uploaded shared evidence file. */
  evidenceChecker: lambda.IFunction;
  /** The records table, whose stream carries the outbox events. */
  table: dynamodb.ITable;
  /** Completes batches whose last application reached a final status. */
  settler: lambda.Function;
}

/**
 * What moves a batch along besides its ingestion workflow:
 * - S3: a manifest under `batch-manifests/` starts the ingestion; a file under `batch-evidence/` gets the evidence check;
 * - the table's stream: the event of a batch application reaching a final status (approved, rejected_final, failed,
 *   withdrawn) makes the settler look at its batch, and send `batch.completed` when every row has ended. The filter
 *   lets only those events through, so the settler is not invoked for the many other writes.
 */
export class BatchEvents extends Construct {
  /** Where the settler stream mapping leaves the coordinates of records it still fails on. */
  readonly deadLetters: sqs.Queue;
  /** Where S3 events the manifest trigger still fails on end (see `keepFailedS3Events`). */
  readonly manifestFailures: sqs.Queue;
  /** Where S3 events the shared-evidence check still fails on end. */
  readonly sharedEvidenceCheckFailures: sqs.Queue;

  constructor(scope: Construct, id: string, props: BatchEventsProps) {
    super(scope, id);
    props.notificationBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(props.manifestUploaded), {
      prefix: BATCH_MANIFEST_PREFIX,
    });
    props.notificationBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(props.evidenceChecker), {
      prefix: BATCH_EVIDENCE_PREFIX,
    });

    this.manifestFailures = keepFailedS3Events(this, props.manifestUploaded, 'manifest-uploaded', 'ManifestFailures');
    this.sharedEvidenceCheckFailures = keepFailedS3Events(
      this,
      props.evidenceChecker,
      'shared-evidence check',
      'SharedEvidenceCheckFailures',
    );
    this.deadLetters = deadLetterQueue(this, 'the settler stream mapping');
    props.settler.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        // Settling is idempotent (a guarded write and a fixed event id), so a failed batch of records is simply retried.
        reportBatchItemFailures: true,
        retryAttempts: 10,
        onFailure: new SqsDlq(this.deadLetters),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: {
              NewImage: {
                entity: { S: lambda.FilterRule.isEqual('event') },
                event: {
                  M: {
                    type: { S: lambda.FilterRule.or(...[...FINAL_STATUSES].map((s) => `application.${s}`)) },
                    data: { M: { batchId: { S: lambda.FilterRule.exists() } } },
                  },
                },
              },
            },
          }),
        ],
      }),
    );
    if (props.settler.role) {
      acknowledgeWildcardResource(
        props.settler.role,
        '*',
        'dynamodb:ListStreams (granted for the stream mapping) has no resource-level permissions; the stream reads are on the one stream ARN.',
      );
    }
  }
}
