import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { lambdaTask, standardWorkflow, LAMBDA_TRANSIENT_ERRORS } from './workflow-tasks.ts';

/** The Lambda functions that do the review workflow's work, one per task. */
export interface ReviewWorkflowTasks {
  loadApplication: lambda.IFunction;
  probeSite: lambda.IFunction;
  submitToAuthority: lambda.IFunction;
  recordOverdue: lambda.IFunction;
  applyDecision: lambda.IFunction;
  awaitCorrection: lambda.IFunction;
  expireCorrection: lambda.IFunction;
  markFailed: lambda.IFunction;
}

export interface ReviewWorkflowProps {
  tasks: ReviewWorkflowTasks;
  /**
   * A fixed name, so that the task functions can be granted SendTaskSuccess/SendTaskFailure on the machine's ARN
   * without a reference to it (the machine already references them: a reference back would be a cycle).
   */
  stateMachineName?: string;
}

/**
 * One Standard execution per application run: submitted → under_review → approved, or rejected → (resubmitted)
 * → … → rejected_final; any task failing after its retries → failed.
 *
 * Execution input: `{ applicationId, tenantId }`. The first task reads the application and the workflow routes by its
 * status, so an execution started again for an application already under way (after a crash, or on the local runtime
 * after a restart) resumes at the right wait instead of redoing finished steps. Every task is idempotent for that.
 *
 * Waiting is done with task tokens: the authority's decision (`SubmitToAuthority`) and the customer's correction
 * (`AwaitCorrection`) arrive through SendTaskSuccess. The review SLA is the task's timeout (computed in business days by
 * LoadApplication); passing it sends an overdue notice and goes back to waiting, with a fresh token.
 */
export class ReviewWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: ReviewWorkflowProps) {
    super(scope, id);
    const t = props.tasks;
    const ids = { 'applicationId.$': '$.applicationId', 'tenantId.$': '$.tenantId' };

    const failed = new sfn.Fail(this, 'Failed', { error: 'ApplicationFailed', cause: 'A task failed after its retries' });
    const markFailed = lambdaTask(this, 'MarkFailed', t.markFailed, {
      payload: sfn.TaskInput.fromObject({ ...ids, 'error.$': '$.error' }),
      resultPath: sfn.JsonPath.DISCARD,
    }).next(failed);
    /** Every task but MarkFailed ends in MarkFailed when it still fails after its retries. */
    const orFail = <T extends sfn.TaskStateBase>(task: T): T => {
      task.addCatch(markFailed, { errors: ['States.ALL'], resultPath: '$.error' });
      return task;
    };

    const finished = new sfn.Succeed(this, 'Finished');

    const loadApplication = orFail(
      lambdaTask(this, 'LoadApplication', t.loadApplication, {
        payload: sfn.TaskInput.fromObject(ids),
        resultPath: '$.app',
      }),
    );

    const probeSite = orFail(
      lambdaTask(this, 'ProbeSite', t.probeSite, {
        payload: sfn.TaskInput.fromObject(ids),
        resultPath: '$.probe',
      }),
    );

    const submitToAuthority = lambdaTask(this, 'SubmitToAuthority', t.submitToAuthority, {
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({ ...ids, taskToken: sfn.JsonPath.taskToken }),
      taskTimeout: sfn.Timeout.at('$.app.reviewTimeoutSeconds'),
      resultPath: '$.decision',
    });
    const recordOverdue = orFail(
      lambdaTask(this, 'RecordOverdue', t.recordOverdue, {
        payload: sfn.TaskInput.fromObject(ids),
        resultPath: sfn.JsonPath.DISCARD,
      }),
    );
    // The SLA passed: tell the customer, then keep waiting for the authority (a new token is stored).
    submitToAuthority.addCatch(recordOverdue, { errors: ['States.Timeout'], resultPath: '$.timeout' });
    orFail(submitToAuthority);
    recordOverdue.next(submitToAuthority);

    const applyDecision = orFail(
      lambdaTask(this, 'ApplyDecision', t.applyDecision, {
        payload: sfn.TaskInput.fromObject({ ...ids, 'decision.$': '$.decision' }),
        resultPath: '$.app',
      }),
    );

    const awaitCorrection = lambdaTask(this, 'AwaitCorrection', t.awaitCorrection, {
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({ ...ids, taskToken: sfn.JsonPath.taskToken }),
      taskTimeout: sfn.Timeout.at('$.app.correctionTimeoutSeconds'),
      resultPath: '$.correction',
    });
    const expireCorrection = orFail(
      lambdaTask(this, 'ExpireCorrection', t.expireCorrection, {
        payload: sfn.TaskInput.fromObject(ids),
        resultPath: sfn.JsonPath.DISCARD,
      }),
    );
    awaitCorrection.addCatch(expireCorrection, { errors: ['States.Timeout'], resultPath: '$.timeout' });
    orFail(awaitCorrection);
    expireCorrection.next(finished);

    const routeByStatus = new sfn.Choice(this, 'RouteByStatus')
      .when(sfn.Condition.stringEquals('$.app.status', 'submitted'), probeSite)
      .when(sfn.Condition.stringEquals('$.app.status', 'under_review'), submitToAuthority)
      .when(sfn.Condition.stringEquals('$.app.status', 'rejected'), awaitCorrection)
      .otherwise(finished);

    const afterDecision = new sfn.Choice(this, 'AfterDecision')
      .when(sfn.Condition.stringEquals('$.app.status', 'rejected'), awaitCorrection)
      .otherwise(finished);

    probeSite.next(submitToAuthority);
    submitToAuthority.next(applyDecision);
    applyDecision.next(afterDecision);
    // A resubmission loops back through LoadApplication (the new attempt has its own review deadline, so the wait
    // must be computed again) and from there through the probe to the authority.
    awaitCorrection.next(loadApplication);

    this.stateMachine = standardWorkflow(this, {
      definition: loadApplication.next(routeByStatus),
      ...(props.stateMachineName ? { stateMachineName: props.stateMachineName } : {}),
      // An application can wait for months (licence cancellations, correction windows); Standard allows one year.
      timeout: Duration.days(365),
      taskFunctions: Object.values(t),
    });
  }
}

export { LAMBDA_TRANSIENT_ERRORS };
