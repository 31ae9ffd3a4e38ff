import { Duration, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A dead-letter queue (construct `id` under `scope`): encrypted, TLS only, kept 14 days. It is itself where failures
 * end, hence the SQS3 acknowledgement; `source` says whose failures, for that reason.
 */
export function deadLetterQueue(scope: Construct, source: string, id = 'DeadLetters'): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself the dead-letter destination of ${source}; nothing consumes it automatically.`,
  });
  return queue;
}

/**
 * S3 invokes its notification targets asynchronously: an invocation that still fails after Lambda's two retries would
 * otherwise be dropped, leaving an uploaded file unchecked (evidence stuck in `pending_upload`, a draft never submitted,
 * a manifest never ingested). Failed events go to a dead-letter queue instead, with the original S3 event records,
 * for an operator to invoke the function with again (every such function is idempotent).
 */
export function keepFailedS3Events(scope: Construct, fn: lambda.IFunction, what: string, id: string): sqs.Queue {
  const queue = deadLetterQueue(scope, `the ${what} function's S3 invocations`, id);
  fn.configureAsyncInvoke({ onFailure: new SqsDestination(queue), retryAttempts: 2, maxEventAge: Duration.hours(6) });
  return queue;
}
