/**
 * The environment each function runs with locally. In AWS a function's environment is its `Environment.Variables` in
 * the template plus what Lambda provides (region, name, memory, credentials of its role's session); locally the same,
 * with the template's references resolved to the local resources, and the local overrides on top: the engines'
 * endpoints and the settings that only make sense on one machine (see {@link localOverrides}).
 */
import { functionCredentials } from './iam/local-credentials.ts';
import {
  type CfnResource,
  type CfnTemplate,
  LOCAL_ACCOUNT_ID,
  LOCAL_PARTITION,
  LOCAL_REGION,
  readLambdaFunctions,
  resolveIntrinsics,
  type ResolveOptions,
} from './step-functions/template.ts';

/** Where the local engines listen. */
export interface LocalEndpoints {
  dynamodb: string;
  s3: string;
  sfn: string;
}

/** The local runtime's settings that reach the functions (`LocalRuntimeOptions`). */
export interface LocalSettings {
  authority: 'simulated' | 'manual';
  /** The simulated authority's URL, when it runs. */
  authorityUrl?: string;
  /** `CLOCK_OFFSET_MS`: how far the local clock runs ahead of the machine's (`LOCAL_CLOCK_START`). */
  clockOffsetMs: number;
  maxResubmissions?: number;
}

/**
 * Settings of the functions that the template does not set, which the local runtime passes on from its own environment
 * when they are set there (`BATCH_CHUNK_ROWS=5 npm start`), in either mode: the sources read the runtime's environment
 * directly; each bundled function gets them in its own.
 */
export const FORWARDED_SETTINGS = [
  'LOG_LEVEL',
  'CORRECTION_WINDOW_DAYS',
  'EVENT_RETENTION_DAYS',
  'UPLOAD_URL_TTL_SECONDS',
  'EVIDENCE_SIZE_LIMIT',
  'EVIDENCE_REQUIRE_SIGNED_FORM',
  'EVIDENCE_REQUIRE_COLOUR',
  'API_KEY_CACHE_SECONDS',
  'BATCH_CHUNK_ROWS',
  'BATCH_WRITE_CONCURRENCY',
  'BATCH_MANIFEST_MAX_BYTES',
  'BATCH_URL_TTL_SECONDS',
  'START_EXECUTION_RATE',
  'START_EXECUTION_BURST',
  'REVIEW_START_RATE',
  'REVIEW_START_BURST',
  // The fault plan (README, Configuration): each bundled function's SDK clients read it from their own environment.
  'FAULTS',
  // Powertools' own switch: the tests turn the EMF lines off (vitest.config.ts), in the bundles' workers too.
  'POWERTOOLS_METRICS_DISABLED',
] as const;

/**
 * The one list of what the local runtime sets over every function's environment, whatever the template says:
 * - the local engines: `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_SFN`, path-style S3
 *   (`S3_FORCE_PATH_STYLE`), and checksums only when required (`AWS_REQUEST_CHECKSUM_CALCULATION`,
 *   `AWS_RESPONSE_CHECKSUM_VALIDATION`: s3rver stores the SDK's default streamed checksums as garbage);
 * - the simulated world: `AUTHORITY_MODE` (and `AUTHORITY_URL`), `PROBE_MODE=simulated`, webhooks to loopback over
 *   plain HTTP allowed (`WEBHOOKS_ALLOW_LOOPBACK`, `WEBHOOKS_ALLOW_HTTP`: the receivers run on this machine);
 * - the local clock (`CLOCK_OFFSET_MS`), `MAX_RESUBMISSIONS` when given, no Node version warning from the SDK;
 * - {@link FORWARDED_SETTINGS} set in `hostEnv`.
 */
export function localOverrides(
  endpoints: LocalEndpoints,
  settings: LocalSettings,
  hostEnv: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const forwarded = FORWARDED_SETTINGS.flatMap((name) => (hostEnv[name] === undefined ? [] : [[name, hostEnv[name] as string]]));
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SFN: endpoints.sfn,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    S3_FORCE_PATH_STYLE: 'true',
    AUTHORITY_MODE: settings.authority,
    ...(settings.authorityUrl ? { AUTHORITY_URL: settings.authorityUrl } : {}),
    PROBE_MODE: 'simulated',
    WEBHOOKS_ALLOW_LOOPBACK: 'true',
    WEBHOOKS_ALLOW_HTTP: 'true',
    CLOCK_OFFSET_MS: String(settings.clockOffsetMs),
    ...(settings.maxResubmissions === undefined ? {} : { MAX_RESUBMISSIONS: String(settings.maxResubmissions) }),
    ...Object.fromEntries(forwarded),
  };
}

/** What the local runtime names the app's stateful resources (in AWS, CloudFormation names them). */
export interface LocalResourceNames {
  table: string;
  bucket: string;
}

/** One function of the template as Lambda would configure it. */
export interface FunctionConfiguration {
  logicalId: string;
  /** `Environment.Variables`, every reference resolved to the local resources. */
  variables: Record<string, string>;
  /** `Handler`, e.g. `index.handler`. */
  handler: string;
  memorySize: number;
  timeoutSeconds: number;
}

/**
 * The configuration of every function the local runtime runs (those carrying `icp:entry`), read from the service
 * stack, with the references of their environment resolved: the data stack's table and bucket to `names`, a state
 * machine to its local ARN, a function to its name (its logical id).
 *
 * @throws Error when a variable refers to anything else, or to a second table or bucket: the local runtime serves
 * one of each, and a silently wrong name would only surface as a confusing failure inside a function
 */
export function readFunctionConfigurations(
  templates: { data: CfnTemplate; service: CfnTemplate },
  names: LocalResourceNames,
): Map<string, FunctionConfiguration> {
  const served = { table: new Set<string>(), bucket: new Set<string>() };
  const dataRef = (logicalId: string, attribute?: string): string | undefined => {
    const type = templates.data.Resources?.[logicalId]?.Type;
    const kind = type === 'AWS::DynamoDB::Table' ? 'table' : type === 'AWS::S3::Bucket' ? 'bucket' : undefined;
    if (!kind) throw new Error(`A function's environment refers to ${logicalId} (${type}), which the local runtime does not serve`);
    served[kind].add(logicalId);
    const name = names[kind];
    if (attribute === undefined) return name;
    if (kind === 'bucket') return attribute === 'Arn' ? `arn:${LOCAL_PARTITION}:s3:::${name}` : `${name}.s3.local`;
    const tableArn = `arn:${LOCAL_PARTITION}:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:table/${name}`;
    return attribute === 'StreamArn' ? `${tableArn}/stream/local` : tableArn;
  };
  const dataOptions: ResolveOptions = { resolveRef: dataRef };
  const dataOutput = (value: unknown) => String(resolveIntrinsics(templates.data, value, dataOptions));
  const serviceOptions: ResolveOptions = {
    resolveRef: (logicalId) => {
      const type = templates.service.Resources?.[logicalId]?.Type;
      if (type === 'AWS::StepFunctions::StateMachine') return undefined; // the resolver's default: its local ARN
      throw new Error(`A function's environment refers to ${logicalId} (${type}), which the local runtime does not serve`);
    },
    resolveStackOutput: (_stack, output) => {
      const value = templates.data.Outputs?.[output]?.Value;
      return value === undefined ? undefined : dataOutput(value);
    },
    resolveImport: (exportName) => {
      const output = Object.values(templates.data.Outputs ?? {}).find((o) => o.Export?.Name === exportName);
      return output === undefined ? undefined : dataOutput(output.Value);
    },
  };

  const configurations = new Map<string, FunctionConfiguration>();
  for (const { logicalId } of readLambdaFunctions(templates.service).values()) {
    const properties = (templates.service.Resources?.[logicalId] as CfnResource).Properties ?? {};
    const declared = (properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const variables = Object.fromEntries(
      Object.entries(declared).map(([name, value]) => [name, String(resolveIntrinsics(templates.service, value, serviceOptions))]),
    );
    configurations.set(logicalId, {
      logicalId,
      variables,
      handler: String(properties.Handler ?? 'index.handler'),
      memorySize: Number(properties.MemorySize ?? 128),
      timeoutSeconds: Number(properties.Timeout ?? 3),
    });
  }
  for (const [kind, ids] of Object.entries(served)) {
    if (ids.size > 1) throw new Error(`The functions' environment names ${ids.size} ${kind}s (${[...ids].join(', ')}); the local runtime serves one`);
  }
  return configurations;
}

/**
 * A function's whole environment, as Lambda would give it plus the local overrides: the template's variables; what
 * Lambda itself sets (region, function name, version and memory, initialisation type, `_HANDLER`, `LAMBDA_TASK_ROOT`, and the function's own
 * credentials, `functionCredentials` of the IAM proxy, which tells the functions apart by them); then `overrides` ({@link localOverrides}). `AWS_EXECUTION_ENV` is left
 * unset: libraries read it as "running in Lambda" (an X-Ray daemon, for one), which this machine is not.
 */
export function functionEnvironment(
  configuration: FunctionConfiguration,
  taskRoot: string,
  overrides: Record<string, string>,
): Record<string, string> {
  const { accessKeyId, secretAccessKey } = functionCredentials(configuration.logicalId);
  return {
    ...configuration.variables,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_LAMBDA_FUNCTION_NAME: configuration.logicalId,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(configuration.memorySize),
    // A worker is started on demand, as a Lambda instance is; Powertools reports `cold_start` only for this type.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    _HANDLER: configuration.handler,
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    ...overrides,
  };
}
