import { readFileSync } from 'node:fs';
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { REPO_ROOT } from './constructs/app-function.ts';
import { ConsoleStack } from './stacks/console-stack.ts';
import { DataStack } from './stacks/data-stack.ts';
import { ServiceStack } from './stacks/service-stack.ts';
import { CONSOLE_STACK_NAME, DATA_STACK_NAME, SERVICE_STACK_NAME } from './stack-names.ts';

export { CONSOLE_STACK_NAME, DATA_STACK_NAME, SERVICE_STACK_NAME };

export interface BuiltApp {
  app: App;
  dataStack: DataStack;
  serviceStack: ServiceStack;
  consoleStack: ConsoleStack;
}

/**
 * Adds the project's stacks to `app` and the cdk-nag AwsSolutions checks, so that synthesis fails on any finding that
 * is not acknowledged (with its reason) on the construct it concerns.
 *
 * Called by `infra/app.ts` (the CDK CLI), by the infra tests and by the local runtime, which synthesize in-process:
 * `buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } })).app.synth().getStackByName(SERVICE_STACK_NAME)`.
 * The stacks are environment-agnostic, so synthesis needs no AWS account, credentials or lookups.
 */
export function buildApp(app: App): BuiltApp {
  applyProjectContext(app);
  const tags = { project: 'icp-cancel' };

  const dataStack = new DataStack(app, DATA_STACK_NAME, {
    description: 'icp-cancel: records table and evidence bucket (stateful)',
    tags,
  });
  const serviceStack = new ServiceStack(app, SERVICE_STACK_NAME, {
    description: 'icp-cancel: HTTP API, functions and workflows (stateless)',
    tags,
    table: dataStack.table,
    bucket: dataStack.bucket,
    evidenceAccess: dataStack.evidenceAccess,
    batchObjects: dataStack.batchObjects,
  });

  const consoleStack = new ConsoleStack(app, CONSOLE_STACK_NAME, {
    description: 'icp-cancel: the web console (CloudFront in front of its files and the HTTP API)',
    tags,
    api: serviceStack.api.api,
    evidenceBucket: dataStack.bucket,
  });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, dataStack, serviceStack, consoleStack };
}

/**
 * The CLI passes cdk.json's context (the feature flags) to the app; an `App` created in-process does not see it.
 * Setting whatever the caller left unset makes the tests and the local runtime synthesize the same templates as
 * `cdk synth`.
 */
function applyProjectContext(app: App): void {
  const { context = {} } = JSON.parse(readFileSync(`${REPO_ROOT}cdk.json`, 'utf8')) as { context?: Record<string, unknown> };
  for (const [key, value] of Object.entries(context)) {
    if (app.node.tryGetContext(key) === undefined) app.node.setContext(key, value);
  }
}
