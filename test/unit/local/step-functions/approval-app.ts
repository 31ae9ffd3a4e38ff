/**
 * A tiny CDK app for the local Step Functions tests, shaped like the project's workflows: a Lambda task retried on a
 * named error and caught on another, a Choice, a Wait, a `.waitForTaskToken` task whose timeout and heartbeat come from
 * the input, and a plain `lambda:invoke` task with CDK's default output.
 *
 * Execution input: `{ id, mode: 'direct' | 'pause', pauseSeconds?, approvalTimeoutSeconds, heartbeatSeconds }`.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { CfnTemplate } from '../../../../infra/local/step-functions/template.ts';

/** The names the test functions answer to; the logical ids CDK derives from them are looked up by entry. */
export const ENTRIES = {
  prepare: 'functions/workflow/prepare.ts',
  requestApproval: 'functions/workflow/request-approval.ts',
  finish: 'functions/workflow/finish.ts',
} as const;

let cached: CfnTemplate | undefined;

/** The synthesized template of the approval app (synthesized once per test file: loading aws-cdk-lib takes seconds). */
export function approvalTemplate(): CfnTemplate {
  cached ??= synthesize();
  return cached;
}

function synthesize(): CfnTemplate {
  // Bundling and CDK's CloudFormation validation (seconds per synthesis) are off: only the definitions matter here.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Approval');
  const fn = (id: string, entry: string): lambda.Function => {
    const f = new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    });
    const cfn = f.node.defaultChild as lambda.CfnFunction;
    cfn.addMetadata('icp:entry', entry);
    cfn.addMetadata('icp:handler', 'handler');
    return f;
  };
  const prepareFn = fn('Prepare', ENTRIES.prepare);
  const requestApprovalFn = fn('RequestApproval', ENTRIES.requestApproval);
  const finishFn = fn('Finish', ENTRIES.finish);

  const prepareFailed = new sfn.Fail(stack, 'PrepareFailed', { error: 'PrepareFailed', causePath: '$.error.Cause' });
  const prepare = new tasks.LambdaInvoke(stack, 'PrepareTask', {
    lambdaFunction: prepareFn,
    payloadResponseOnly: true,
    resultPath: '$.prepared',
    taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
  });
  prepare.addRetry({ errors: ['TransientError'], interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 3 });
  prepare.addCatch(prepareFailed, { errors: ['PermanentError'], resultPath: '$.error' });

  const approvalTimedOut = new sfn.Fail(stack, 'ApprovalTimedOut', { error: 'ApprovalTimedOut' });
  const rejected = new sfn.Fail(stack, 'Rejected', { error: 'Rejected', causePath: '$.error.Cause' });
  const awaitApproval = new tasks.LambdaInvoke(stack, 'AwaitApproval', {
    lambdaFunction: requestApprovalFn,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({ token: sfn.JsonPath.taskToken, 'id.$': '$.id' }),
    taskTimeout: sfn.Timeout.at('$.approvalTimeoutSeconds'),
    heartbeatTimeout: sfn.Timeout.at('$.heartbeatSeconds'),
    resultPath: '$.approval',
  });
  awaitApproval.addCatch(approvalTimedOut, { errors: ['States.Timeout'] });
  awaitApproval.addCatch(rejected, { errors: ['ApprovalRejected'], resultPath: '$.error' });

  const finish = new tasks.LambdaInvoke(stack, 'FinishTask', { lambdaFunction: finishFn, outputPath: '$.Payload' });
  const pause = new sfn.Wait(stack, 'Pause', { time: sfn.WaitTime.secondsPath('$.pauseSeconds') });

  const route = new sfn.Choice(stack, 'Route')
    .when(sfn.Condition.stringEquals('$.mode', 'pause'), pause.next(awaitApproval))
    .otherwise(awaitApproval);
  awaitApproval.next(finish);

  new sfn.StateMachine(stack, 'ApprovalMachine', {
    definitionBody: sfn.DefinitionBody.fromChainable(prepare.next(route)),
    // Longer than Node's timer can hold (~24.8 days): must not time the execution out at once.
    timeout: Duration.days(365),
  });
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}
