import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BUNDLED_HOLIDAY_DATA_DIR } from '../../shared/domain/calendar/load-holiday-calendar.ts';
import { acknowledgeWildcardResource } from './nag.ts';

/** The repository root: entries are given relative to it, so the same path reads well in the template and in code. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The holiday calendar's year files (data, read at run time), relative to the repository root. */
export const HOLIDAY_DATA_SOURCE = 'shared/domain/calendar/data';

/**
 * Bundling hooks that copy the holiday calendar's year files beside the bundle (`holiday-calendar/<year>.json`), where
 * the calendar loader finds them: esbuild bundles code, not files the code reads at run time. Adding a year is still
 * a data change: the next deployment copies the new file.
 */
export const HOLIDAY_DATA_HOOKS = {
  beforeBundling: (): string[] => [],
  beforeInstall: (): string[] => [],
  afterBundling: (inputDir: string, outputDir: string): string[] => [
    `mkdir -p "${outputDir}/${BUNDLED_HOLIDAY_DATA_DIR}"`,
    `cp "${inputDir}/${HOLIDAY_DATA_SOURCE}"/*.json "${outputDir}/${BUNDLED_HOLIDAY_DATA_DIR}/"`,
  ],
};

/** Template metadata keys the local runtime reads to route a Lambda (or a state machine task) to its real handler. */
export const ENTRY_METADATA = 'icp:entry';
export const HANDLER_METADATA = 'icp:handler';

/**
 * The newest Node.js runtime this aws-cdk-lib knows; cdk-nag's AwsSolutions-L1 compares against the same list.
 * Named explicitly (not `NODEJS_LATEST`) so that a library upgrade never changes the runtime without a diff here.
 */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * `cdk deploy -c sdkTracing=true` bundles every function with Powertools' Tracer: an X-Ray subsegment for each AWS SDK
 * call and the handler's own, annotated with the business keys (`shared/observability/tracer.ts`). Off by default:
 * the Tracer's X-Ray SDK costs every cold start about 15 ms (README, Logs, metrics and traces), while Lambda's active
 * tracing, always on, costs nothing at import.
 */
export const SDK_TRACING_CONTEXT = 'sdkTracing';

/** Whether the app is synthesized with SDK tracing (`-c sdkTracing=true`); anything but true or false is refused. */
export function sdkTracingOf(scope: Construct): boolean {
  const value: unknown = scope.node.tryGetContext(SDK_TRACING_CONTEXT);
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new Error(`CDK context ${SDK_TRACING_CONTEXT} must be true or false; got ${JSON.stringify(value)}`);
}

export interface AppFunctionProps {
  /** Repository-relative path of the entry file, e.g. `functions/http/create-application.ts`. */
  entry: string;
  /** The exported handler's name. */
  handler?: 'handler';
  /** Per-function environment, on top of the defaults every function gets. */
  environment?: Record<string, string>;
  timeout?: Duration;
  description?: string;
}

/**
 * Every Lambda of the project, with all defaults in one place (STYLE.md rule 7): ESM bundle (with a `require` shim so
 * bundled CommonJS dependencies still load), arm64, current Node.js runtime, AWS SDK bundled at the version the
 * project pins and tests (not whatever the runtime ships), minified, with a source map beside the bundle that Node does
 * not load unless told to (see below), the holiday calendar's year files beside the bundle, its own log group with a
 * retention, X-Ray active (the Tracer bundled or not: `SDK_TRACING_CONTEXT`), 30 s and 512 MB.
 *
 * No `--enable-source-maps` by default: loading the map costs every cold start 17–25 ms (`npm run bench:cold --
 * --source-maps`) for stack traces that only debugging needs. To debug a function, give it
 * `NODE_OPTIONS=--enable-source-maps` (`environment` here, or on the deployed function; see README).
 *
 * The role is the function's own, with only the log writes it needs: the managed `AWSLambdaBasicExecutionRole`
 * would let it create any log group in the account (cdk-nag AwsSolutions-IAM4).
 *
 * The entry and handler are recorded as resource metadata (`icp:entry`, `icp:handler`) so the local runtime, which
 * reads the synthesized template, can run the same handler in-process.
 */
export class AppFunction extends NodejsFunction {
  readonly entryPath: string;
  readonly handlerName: string;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    const entry = `${REPO_ROOT}${props.entry}`;
    if (!existsSync(entry)) {
      throw new Error(`AppFunction ${id}: entry ${props.entry} does not exist`);
    }
    const handler = props.handler ?? 'handler';
    // Created beside the function (a construct cannot own children before super()); the ids keep them together.
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry,
      handler,
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      role,
      ...(props.description ? { description: props.description } : {}),
      environment: {
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        // Bundled CommonJS code calls `require` for Node built-ins, which ESM does not define.
        banner: "import { createRequire as __icpCreateRequire } from 'node:module'; const require = __icpCreateRequire(import.meta.url);",
        bundleAwsSDK: true,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        commandHooks: HOLIDAY_DATA_HOOKS,
        // A constant, so that esbuild leaves the Tracer and the X-Ray SDK out of the bundle when it is 'false'.
        define: { 'process.env.ICP_SDK_TRACING': JSON.stringify(String(sdkTracingOf(scope))) },
      },
    });
    this.entryPath = props.entry;
    this.handlerName = handler;

    const cfn = this.node.defaultChild as lambda.CfnFunction;
    cfn.addMetadata(ENTRY_METADATA, props.entry);
    cfn.addMetadata(HANDLER_METADATA, handler);

    // Active tracing adds xray:PutTraceSegments/PutTelemetryRecords, which have no resource-level permissions.
    // test/infra checks that no other statement of any role uses Resource "*".
    acknowledgeWildcardResource(
      role,
      '*',
      'X-Ray PutTraceSegments and PutTelemetryRecords support only Resource "*" (no resource-level permissions).',
    );
  }
}
