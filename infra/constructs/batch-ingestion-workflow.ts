import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { WORKFLOW_ERROR_NAMES } from '../../shared/domain/errors.ts';
import { lambdaTask, standardWorkflow } from './workflow-tasks.ts';

/** The Lambda functions of the ingestion workflow, one per task. */
export interface BatchIngestionTasks {
  prepare: lambda.IFunction;
  ingestChunk: lambda.IFunction;
  finish: lambda.IFunction;
  startReviews: lambda.IFunction;
  fail: lambda.IFunction;
}

export interface BatchIngestionWorkflowProps {
  tasks: BatchIngestionTasks;
  /** A fixed name, so that the functions that start it are granted StartExecution on its ARN without a reference. */
  stateMachineName?: string;
  /** The IngestChunk function's timeout: the task waits a little longer than the function may run. */
  chunkTimeout: Duration;
  /** The StartReviews function's timeout, likewise. */
  startReviewsTimeout: Duration;
}

/**
 * Errors that a run again cannot change: a manifest that cannot be read (only the tasks that read it throw this), a
 * batch that is not there.
 */
const { manifestRejected, batchMissing } = WORKFLOW_ERROR_NAMES;

/**
 * One Standard execution per ingestion run of a batch: Prepare → IngestChunk, again and again until every row is
 * read → Finish (report, `ingested`, maybe `completed`) → StartReviews, again until every review the rows requested
 * is started. Any task still failing after its retries → Fail (`failed`, with a partial report, while still
 * ingesting); the execution then fails too, unless the manifest was refused (`ManifestRefused`).
 *
 * Ingestion ends when the rows and their start requests are durable (Finish, `ingestedAt`); the reviews are started
 * apart, at the system's one StartExecution pace: during the chunks (each starts what earlier chunks requested while
 * its own rows are written) and by StartReviews (up to a minute a task, `reviewsStartedAt` at the end).
 *
 * Execution input: `{ batchId, tenantId }`. The cursor lives in the batch record, not in the execution: each
 * IngestChunk reads it and commits it with the chunk, so the loop carries no data and a task that crashes or times
 * out half-way is retried from the last committed row (the rows it wrote are found again, never duplicated). A new
 * execution (the next run name) carries on the same way.
 *
 * Why a loop and not a Distributed Map over the manifest: the rows must be read in order (the first row of a filing
 * wins, later ones are duplicates), each row needs its number and a refusal of its own (a Distributed Map's CSV
 * reader fails the whole map on a malformed line and knows no UTF-8 BOM), the report is ours, and the local engine
 * (aws-local-stepfunctions) does not run a Distributed Map's ItemReader. A chunk of 1,000 rows takes seconds, so the
 * loop is far from Lambda's 15 minutes and from the 25,000-event history limit (100,000 rows = 100 chunks).
 */
export class BatchIngestionWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: BatchIngestionWorkflowProps) {
    super(scope, id);
    const t = props.tasks;
    const ids = { 'batchId.$': '$.batchId', 'tenantId.$': '$.tenantId' };

    const failed = new sfn.Fail(this, 'Failed', { error: 'BatchIngestionFailed', cause: 'A task failed after its retries' });
    // A manifest the agency must fix (not CSV, a bad header, too large) fails the batch, which the agency sees with
    // the reason; the execution did its job and succeeds, so the failed-executions alarm pages on-call only for ours.
    const refused = new sfn.Succeed(this, 'ManifestRefused');
    const whyFailed = new sfn.Choice(this, 'WhyFailed')
      .when(sfn.Condition.stringEquals('$.error.Error', manifestRejected), refused)
      .otherwise(failed);
    const fail = lambdaTask(this, 'FailIngestion', t.fail, {
      payload: sfn.TaskInput.fromObject({ ...ids, 'error.$': '$.error' }),
      resultPath: sfn.JsonPath.DISCARD,
    }).next(whyFailed);

    /**
     * Every task is idempotent against the batch record, so anything but the final errors it throws is retried (a
     * crash, a timeout, throttling); after the retries, Fail.
     */
    const resilient = <T extends tasks.LambdaInvoke>(task: T, finalErrors: string[]): T => {
      task.addRetry({ errors: finalErrors, maxAttempts: 0 });
      task.addRetry({
        errors: ['States.ALL'],
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 6,
        maxDelay: Duration.minutes(2),
        jitterStrategy: sfn.JitterType.FULL,
      });
      task.addCatch(fail, { errors: ['States.ALL'], resultPath: '$.error' });
      return task;
    };

    const prepare = resilient(
      lambdaTask(this, 'Prepare', t.prepare, { payload: sfn.TaskInput.fromObject(ids), resultPath: '$.progress' }),
      [manifestRejected, batchMissing],
    );
    const ingestChunk = resilient(
      lambdaTask(this, 'IngestChunk', t.ingestChunk, {
        payload: sfn.TaskInput.fromObject(ids),
        resultPath: '$.progress',
        taskTimeout: sfn.Timeout.duration(props.chunkTimeout.plus(Duration.seconds(30))),
      }),
      [manifestRejected, batchMissing],
    );
    const finish = resilient(
      lambdaTask(this, 'Finish', t.finish, { payload: sfn.TaskInput.fromObject(ids), resultPath: sfn.JsonPath.DISCARD }),
      [batchMissing],
    );
    const startReviews = resilient(
      lambdaTask(this, 'StartReviews', t.startReviews, {
        payload: sfn.TaskInput.fromObject(ids),
        resultPath: '$.starts',
        taskTimeout: sfn.Timeout.duration(props.startReviewsTimeout.plus(Duration.seconds(30))),
      }),
      [batchMissing],
    );
    const ingested = new sfn.Succeed(this, 'Ingested');
    const moreReviews = new sfn.Choice(this, 'MoreReviews')
      .when(sfn.Condition.booleanEquals('$.starts.done', true), ingested)
      .otherwise(startReviews);
    startReviews.next(moreReviews);

    const moreRows = new sfn.Choice(this, 'MoreRows')
      .when(sfn.Condition.booleanEquals('$.progress.done', true), finish.next(startReviews))
      .otherwise(ingestChunk);
    ingestChunk.next(moreRows);

    this.stateMachine = standardWorkflow(this, {
      definition: prepare.next(moreRows),
      ...(props.stateMachineName ? { stateMachineName: props.stateMachineName } : {}),
      timeout: Duration.days(7),
      taskFunctions: Object.values(t),
    });
  }
}
