import { Stack, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { keepFailedS3Events } from './dead-letters.ts';
import { EVIDENCE_PREFIX } from './evidence-store.ts';

export interface EvidenceNotificationsProps {
  /** The evidence bucket (from the data stack). */
  bucket: s3.IBucket;
  /** Checks each uploaded evidence object. */
  checker: lambda.IFunction;
}

/**
 * Invokes the evidence checker for every object created under `evidence/`, with S3's own event records (the shape
 * s3rver emits locally too).
 *
 * The notification is declared on an imported reference to the bucket, so that it lives in this (service) stack:
 * declared on the data stack's bucket it would make the data stack depend on the function, and the service stack
 * already depends on the data stack. CDK then manages only the notifications it created and keeps any others.
 */
export class EvidenceNotifications extends Construct {
  /** The bucket reference the notifications are declared on; other notifications of the bucket must use it too. */
  readonly bucket: s3.IBucket;
  /** Where S3 events the checker still fails on end (see `keepFailedS3Events`). */
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: EvidenceNotificationsProps) {
    super(scope, id);
    const bucket = s3.Bucket.fromBucketAttributes(this, 'Bucket', {
      bucketArn: props.bucket.bucketArn,
      bucketName: props.bucket.bucketName,
    });
    this.bucket = bucket;
    bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(props.checker), {
      prefix: EVIDENCE_PREFIX,
    });
    this.deadLetters = keepFailedS3Events(this, props.checker, 'evidence check', 'CheckFailures');

    // CDK's stack-wide custom resource that writes notification configurations. Its own policy is scoped to the
    // bucket; only its role's managed policy needs acknowledging.
    const handler = Stack.of(this).node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    if (handler) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's built-in bucket-notifications custom resource (runs only during deployment); its role is not configurable.",
      });
    }
  }
}
