import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { APIGatewayProxyEventV2, DynamoDBBatchResponse, DynamoDBStreamEvent, S3Event } from 'aws-lambda';
import { describeFaultPlan, faultPlanFromEnv } from '../../shared/adapters/faults/fault-plan.ts';
import { makeBatchDeps } from '../../shared/adapters/make-batch-deps.ts';
import { makeDeps, resetDeps } from '../../shared/adapters/make-deps.ts';
import { resetConfig } from '../../shared/config.ts';
import { log } from '../../shared/log.ts';
import type { Deps } from '../../shared/ports/deps.ts';
import type { Clock } from '../../shared/ports/services.ts';
import { startAuthoritySimulator } from './authority-simulator.ts';
import { consoleAssets, ensureConsoleBuilt } from './console-assets.ts';
import { startDynamoDbLocal, createTableFromTemplate, tableLayoutOf } from './engines/dynamodb-local.ts';
import { type DynamoDbMeter, startDynamoDbMeter } from './engines/dynamodb-meter.ts';
import { startHttpApi } from './engines/http-api-local.ts';
import { startS3Local } from './engines/s3-local.ts';
import { startStreamPoller, matchesFilterCriteria } from './engines/stream-poller.ts';
import { LocalDeadLetters } from './dead-letters.ts';
import { localOverrides, readFunctionConfigurations } from './function-environment.ts';
import { functionCredentials } from './iam/local-credentials.ts';
// Types only: the evaluator (AGPL, a devDependency) is loaded when IAM is enforced.
import type { IamMode, IamReport } from './iam/local-iam.ts';
import type { FunctionIdentity } from './iam/role-policies.ts';
import { type FunctionHost, LambdaHost } from './lambda-host.ts';
import { invocationCrashes } from './invocation-crashes.ts';
import { DEFAULT_MAX_INSTANCES, LambdaWorkers, readWorkerFunctions } from './lambda-workers.ts';
import { localClock } from './local-clock.ts';
import { resumeApplications } from './resume-applications.ts';
import { resumeBatches } from './resume-batches.ts';
import { resumeDeliveries } from './resume-deliveries.ts';
import { ensureDemoTenant, type DemoTenant } from './demo-tenant.ts';
import { LocalStepFunctions } from './step-functions/local-step-functions.ts';
import { type SfnApiServer, type StartExecutionQuota, startSfnApiServer } from './step-functions/sfn-api-server.ts';
import { localStateMachineArn, readLambdaFunctions, readStateMachines } from './step-functions/template.ts';
import { type BundledAssembly, synthesizeBundled, synthesizeTemplates, type SynthesizedTemplates } from './synthesize.ts';
import { bucketVersioned, readWiring } from './template-wiring.ts';
import { LocalUsage } from './usage.ts';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
export const TABLE_NAME = 'icp-cancel';
export const BUCKET_NAME = 'icp-cancel-evidence';
/** The shortest interval the local runtime runs a schedule at, however small `timeScale` is. */
const MIN_SCHEDULE_MS = 5_000;
/** Executions stepping through their start at once on the local engine, unless told otherwise. */
export const DEFAULT_MAX_STARTING_EXECUTIONS = 32;

export interface LocalRuntimeOptions {
  /** HTTP API port; 0 picks a free one (tests). */
  port: number;
  /** Where DynamoDB Local, s3rver and the synth cache keep their files. */
  dataDir: string;
  /** `simulated`: the authority decides by itself after `authorityDelayMs`; `manual`: only the operator endpoint. */
  authority: 'simulated' | 'manual';
  authorityDelayMs: number;
  /** Scales Wait and Retry intervals of the state machines (webhook retries take minutes to days at 1). */
  timeScale: number;
  /** The demo tenant's keys; generated on first start when absent. */
  agencyKey?: string;
  operatorKey?: string;
  /** Resubmissions allowed after rejections (MAX_RESUBMISSIONS). */
  maxResubmissions?: number;
  /**
   * How many workflow executions may step through their start at once (LOCAL_MAX_STARTING_EXECUTIONS); the others wait,
   * RUNNING, in a queue, so that thousands started by a bulk batch do not starve each other's tasks into timeouts.
   * Default 32; `Infinity`: no bound. See `LocalStepFunctionsOptions.maxStartingExecutions`.
   */
  maxStartingExecutions?: number;
  /**
   * Where the system's clock starts (LOCAL_CLOCK_START): a date or a date-time with its offset; from there it runs at
   * the machine's pace. Every function's clock port and the state machines' timestamp waits read it. Default: the
   * `LOCAL_CLOCK_START` environment variable, so the tests run at the day it names; without it, the machine's clock.
   */
  clockStart?: string;
  /**
   * What the functions run (LOCAL_HANDLERS). `sources` (the default): each handler's TypeScript entry, in this process,
   * sharing its environment — fast to edit. `bundled`: what deploys — the app synthesized with bundling (the esbuild
   * bundles of `cdk.out`, cached), each function's minified bundle in a worker thread of its own (one Lambda instance),
   * with its own environment: the template's variables, what Lambda provides, its own credentials and the local
   * overrides (`localOverrides` in `function-environment.ts`).
   */
  handlers?: 'sources' | 'bundled';
  /**
   * IAM enforcement (LOCAL_IAM), bundled functions only. `enforce` (the default with `handlers: 'bundled'`): each
   * function's AWS calls go through an authorising proxy per engine and are evaluated against the IAM policies the
   * synthesized template gives its role; a denied call fails as in AWS (`AccessDenied`). `off`: straight to the engines.
   * The sources share one process, one environment and one set of credentials, so they cannot be told apart: with
   * `handlers: 'sources'` it is `off`, and `enforce` is refused.
   */
  iam?: IamMode;
  /**
   * Changes a function's role before its calls are evaluated (tests only: take one permission away and see the system
   * fail as it would in AWS). Applies when IAM is enforced.
   */
  adjustRole?: (identity: FunctionIdentity) => FunctionIdentity;
  /**
   * Meters what the system does in the units AWS bills (`runtime.usage`): a proxy in front of DynamoDB Local records
   * the request units of every call, and S3 and API requests are counted. For the cost model (`npm run cost`) and its
   * test; off by default (the proxy adds a hop to every DynamoDB call).
   */
  meter?: boolean;
  /**
   * With `meter`, also counts item writes per partition key of the table and of each index
   * (`runtime.usage.partitionWrites()`), for `npm run bench:partitions`.
   */
  countPartitionWrites?: boolean;
  /**
   * Step Functions' StartExecution quota, enforced by the local Step Functions API as AWS does (`ThrottlingException`
   * beyond it; `runtime.stepFunctionsApi.setStartExecutionQuota` changes it while running). Unset: no quota — the
   * system's own pace (`START_EXECUTION_RATE`) is what keeps the starts in line.
   */
  startExecutionQuota?: StartExecutionQuota;
  /**
   * Whether the console is served at `/console/` (default true), built first when it is missing or older than its
   * sources (in the background: the API serves meanwhile, and the console's first request waits for the build).
   */
  console?: boolean;
  /**
   * Whether the template's schedules run (default true): the start queue's sweep, every minute times `timeScale`, at
   * least every 5 s. The cost model turns them off: a sweep every minute is the deployment's fixed cost, not a
   * cancellation's, and would otherwise be counted in each measured path.
   */
  schedules?: boolean;
}

export interface LocalRuntime {
  url: string;
  demoTenant: DemoTenant;
  deps: Deps;
  /** The clock the functions read (shifted when `clockStart` was given). */
  clock: Clock;
  stepFunctions: LocalStepFunctions;
  /** The Step Functions API the functions call: its log of StartExecution calls, its quota. */
  stepFunctionsApi: Pick<SfnApiServer, 'startExecutionCalls' | 'setStartExecutionQuota'>;
  /** The functions as the runtime runs them (sources or bundles), with how often each has been invoked. */
  functions: FunctionHost;
  /** Whether the functions' calls are authorised against their roles, and what was decided per function. */
  iam: IamReport;
  /** What the system has used so far, in the units AWS bills (with `meter: true`). */
  usage?: LocalUsage;
  stop(): Promise<void>;
}

/**
 * Starts the whole system on this machine: DynamoDB Local, s3rver, the CDK app's state machines on the local Step
 * Functions engine (with its API served for the SDK), the simulated authority, the stream and S3 event plumbing, and
 * the HTTP API — every Lambda handler running unchanged against the real AWS SDK clients: in-process from the sources,
 * or from the synthesized bundles, one worker each (`handlers`).
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const started = Date.now();
  const handlers = options.handlers ?? 'sources';
  const iamMode: IamMode = options.iam ?? (handlers === 'bundled' ? 'enforce' : 'off');
  if (iamMode === 'enforce' && handlers !== 'bundled') {
    throw new Error(
      "IAM enforcement needs the bundled functions (LOCAL_HANDLERS=bundled): the sources share one process and one set of credentials, so their calls cannot be told apart by function",
    );
  }
  const { clock, offsetMs: clockOffsetMs } = localClock(options.clockStart ?? process.env.LOCAL_CLOCK_START);
  // Read before anything starts, so a bad plan fails the start with its reason (FaultPlanError). The functions read
  // the same FAULTS for their SDK clients: the sources from this process's environment (the runtime's own calls, which
  // share their clients, take the faults too), the bundles from theirs (FORWARDED_SETTINGS).
  const faults = faultPlanFromEnv();
  if (faults) log.warn('fault plan on: SDK calls and invocations fail at random (FAULTS)', { faults: describeFaultPlan(faults) });
  const crashes = invocationCrashes(faults);
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((error: unknown) => log.warn('stop failed', { error }));
  };

  let usage: LocalUsage | undefined;
  try {
    // The engines start while the app synthesizes (or comes out of the cache). The templates depend on the code, not on
    // the data: they are cached with the other build caches.
    const cacheDir = join(REPO_ROOT, 'node_modules', '.cache', 'icp-cancel');
    const synthesized: Promise<SynthesizedTemplates | BundledAssembly> =
      handlers === 'bundled' ? synthesizeBundled(REPO_ROOT, cacheDir) : synthesizeTemplates(REPO_ROOT, cacheDir);
    const [templates, dynamo, s3] = await Promise.all([
      synthesized,
      startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') }),
      // s3rver knows the bundled functions' own access keys (the sources sign with the runtime's).
      synthesized.then((app) =>
        startS3Local({
          dataDir: join(dataDir, 's3'),
          buckets: [BUCKET_NAME],
          onObjectCreated: (event) => onObjectCreated(event),
          // Versioned as the template's bucket is: the ingestion reads the manifest at the version its upload made.
          versionedBuckets: bucketVersioned(app.data) ? [BUCKET_NAME] : [],
          accessKeys: 'directory' in app ? [...readLambdaFunctions(app.service).keys()].map(functionCredentials) : [],
          ...(options.meter ? { onRequest: (request) => usage?.countS3(request) } : {}),
        }),
      ),
    ]);
    stops.push(dynamo.stop, s3.stop);
    const enginesMs = Date.now() - started;
    const wiring = readWiring(templates.data, templates.service);
    const machines = readStateMachines(templates.service);

    // The runtime's own calls (creating the table, the stream, the authority simulator, the demo tenant, resuming
    // workflows) and the functions run from the sources sign with these; s3rver knows no others by itself.
    const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    await createTableFromTemplate(
      new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials }),
      TABLE_NAME,
      wiring.tableProperties,
    );

    // Metered: every DynamoDB call but the runtime's set-up and the stream's (Lambda's stream polling is not billed).
    let meter: DynamoDbMeter | undefined;
    if (options.meter) {
      meter = await startDynamoDbMeter({
        target: dynamo.endpoint,
        ...(options.countPartitionWrites ? { partitions: tableLayoutOf(TABLE_NAME, wiring.tableProperties) } : {}),
      });
      stops.push(meter.stop);
    }

    const stepFunctions = new LocalStepFunctions({
      stateMachines: machines.map((m) => ({ arn: localStateMachineArn(m.name), definition: m.definition })),
      // The functions' host is made below, once the engines' endpoints it hands the functions are known.
      invoke: (functionArn, payload) => host.invoke(functionArn.split(':').pop() as string, payload),
      timeScale: options.timeScale,
      now: () => clock.now().getTime(),
      maxStartingExecutions: options.maxStartingExecutions ?? DEFAULT_MAX_STARTING_EXECUTIONS,
    });
    stops.push(() => stepFunctions.close());
    const sfnApi = await startSfnApiServer(stepFunctions, options.startExecutionQuota ? { startExecutionQuota: options.startExecutionQuota } : {});
    stops.push(sfnApi.close);

    const authority =
      options.authority === 'simulated'
        ? await startAuthoritySimulator({ deps: makeDeps, delayMs: options.authorityDelayMs })
        : undefined;
    if (authority) stops.push(authority.stop);

    const machineArn = (logicalId: string) =>
      localStateMachineArn(machines.find((m) => m.logicalId === logicalId)?.name ?? logicalId);
    const engines = { dynamodb: meter?.endpoint ?? dynamo.endpoint, s3: s3.endpoint, sfn: sfnApi.url };
    // The bundled functions call the engines through the IAM proxies (their presigned URLs name the S3 proxy, so an
    // upload is authorised as the function that signed it); the runtime's own calls go to the engines directly.
    const iam =
      iamMode === 'enforce'
        ? await (await import('./iam/local-iam.ts')).startLocalIam({
            templates,
            localNames: { TABLE_NAME, BUCKET_NAME },
            engines,
            stateMachineOfTaskToken: (token) => stepFunctions.stateMachineOfTaskToken(token),
            ...(options.adjustRole ? { adjustRole: options.adjustRole } : {}),
          })
        : undefined;
    if (iam) stops.push(iam.stop);
    const settings = {
      authority: options.authority,
      ...(authority ? { authorityUrl: authority.url } : {}),
      clockOffsetMs,
      ...(options.maxResubmissions === undefined ? {} : { maxResubmissions: options.maxResubmissions }),
    };
    const overrides = localOverrides(engines, settings);
    const functionOverrides = iam ? localOverrides(iam.endpoints, settings) : overrides;
    // The handlers read their configuration from the environment, as in Lambda. The sources share this process's,
    // pointed at the local engines; the bundles each get their function's own, from the template.
    Object.assign(process.env, {
      AWS_REGION: 'local',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      TABLE_NAME,
      BUCKET_NAME,
      REVIEW_STATE_MACHINE_ARN: machineArn(wiring.stateMachines.review),
      DELIVERY_STATE_MACHINE_ARN: machineArn(wiring.stateMachines.delivery),
      BATCH_STATE_MACHINE_ARN: machineArn(wiring.stateMachines.batches),
      ...overrides,
    });
    const host: FunctionHost =
      'directory' in templates
        ? new LambdaWorkers(
            readWorkerFunctions(
              templates.directory,
              templates.service,
              readFunctionConfigurations(templates, { table: TABLE_NAME, bucket: BUCKET_NAME }),
              functionOverrides,
            ),
            DEFAULT_MAX_INSTANCES,
            crashes,
          )
        : new LambdaHost(REPO_ROOT, readLambdaFunctions(templates.service), crashes);
    stops.push(() => host.stop());
    if (meter) {
      const names = new Map(machines.map((m) => [localStateMachineArn(m.name), m.name]));
      usage = new LocalUsage({ functions: host, stepFunctions, machineName: (arn) => names.get(arn) ?? arn, dynamodb: meter });
    }
    resetConfig();
    resetDeps();
    const deps = makeDeps();
    // What the deployed system would leave in its dead-letter queues, kept in the data folder (`dead-letters.ts`).
    const deadLetters = new LocalDeadLetters(dataDir);

    // S3 invokes its targets asynchronously: Lambda retries a failed invocation twice, about a minute and then two
    // apart (scaled like the workflows' waits), before the event goes to the function's dead-letter queue.
    async function onObjectCreated(event: S3Event): Promise<void> {
      for (const target of wiring.objectCreated) {
        const records = event.Records.filter((r) => decodeURIComponent(r.s3.object.key).startsWith(target.prefix));
        if (records.length === 0) continue;
        for (const retryInMs of [60_000, 120_000, undefined]) {
          try {
            await host.invoke(target.functionId, { Records: records });
            break;
          } catch (error) {
            if (retryInMs === undefined) {
              deadLetters.record(target.functionId, { requestPayload: { Records: records } }, error);
              throw error;
            }
            log.warn('local S3: object-created handler failed, retried as Lambda retries an asynchronous invocation', { error });
            await new Promise((resolve) => setTimeout(resolve, retryInMs * options.timeScale));
          }
        }
      }
    }

    const streams = new DynamoDBStreamsClient({ endpoint: dynamo.endpoint, region: 'local', credentials });
    for (const mapping of wiring.streams) {
      const poller = startStreamPoller({
        client: streams,
        tableName: TABLE_NAME,
        checkpointFile: join(dataDir, `stream-${mapping.functionId}.json`),
        batchSize: mapping.batchSize,
        maxRetryAttempts: mapping.maxRetryAttempts,
        bisectBatchOnError: mapping.bisectBatchOnError,
        filter: (record) => mapping.patterns.length === 0 || matchesFilterCriteria(record, mapping.patterns),
        handler: (event: DynamoDBStreamEvent) => host.invoke(mapping.functionId, event) as Promise<DynamoDBBatchResponse>,
        onDiscardedBatch: ({ error, ...batch }) =>
          deadLetters.record(mapping.functionId, { DDBStreamBatchInfo: batch }, error),
      });
      stops.push(poller.stop);
    }

    // Before the API serves: a script that starts with the runtime must never find the demo key unknown (and have
    // that refusal cached by the functions).
    const demoTenant = await ensureDemoTenant(deps, dataDir, {
      ...(options.agencyKey ? { agencyKey: options.agencyKey } : {}),
      ...(options.operatorKey ? { operatorKey: options.operatorKey } : {}),
    });
    const warmStarted = Date.now();
    await host.warm();
    const warmMs = Date.now() - warmStarted;
    // Before the API serves as well: a client's call (a decision, a resubmission) racing the resume would change an
    // application between its scan and its new run, or start a run of its own that the resume then doubles.
    const resumed = await resumeApplications(deps, TABLE_NAME);
    const resumedBatches = await resumeBatches({ ...deps, ...makeBatchDeps() }, TABLE_NAME);
    const resumedDeliveries = await resumeDeliveries(deps, TABLE_NAME);
    // Uploads whose notification a crash interrupted: S3 would still deliver it (the check, the manifest trigger).
    const redeliveredNotifications = s3.deliverKept();
    const api = await startHttpApi({
      port: options.port,
      // The console's uploads and report reads go where the functions' presigned URLs point: the IAM proxy, if any.
      ...(options.console === false ? {} : { serveOther: consoleAssets(ensureConsoleBuilt(REPO_ROOT), (iam?.endpoints ?? engines).s3) }),
      routes: wiring.routes.map((r) => ({
        routeKey: r.routeKey,
        invoke: (event: APIGatewayProxyEventV2) => {
          usage?.countApi(r.routeKey);
          return host.invoke(r.functionId, event) as Promise<never>;
        },
      })),
    });
    stops.push(api.stop);

    // Scheduled functions (the start queue's sweep), at their rate scaled like the workflows' waits but not more often
    // than every 5 s (a sweep of an empty queue is 8 queries); the first run now, so what a previous run of the runtime
    // left in the queue goes at once.
    const schedules = options.schedules === false ? [] : wiring.schedules;
    for (const schedule of schedules) {
      stops.push(runEvery(Math.max(MIN_SCHEDULE_MS, schedule.everyMs * options.timeScale), () => host.invoke(schedule.functionId, {})));
    }
    log.info('local runtime ready', {
      url: api.url,
      handlers,
      iam: iamMode,
      ms: Date.now() - started,
      enginesAndSynthMs: enginesMs,
      handlersLoadMs: warmMs,
      synthCached: templates.cached,
      ...(clockOffsetMs === 0 ? {} : { clock: clock.now().toISOString() }),
      resumed,
      resumedBatches,
      resumedDeliveries,
      redeliveredNotifications,
    });
    const iamReport: IamReport = iam ?? { enforced: false, decisions: () => new Map() };
    return {
      url: api.url,
      demoTenant,
      deps,
      clock,
      stepFunctions,
      stepFunctionsApi: sfnApi,
      functions: host,
      iam: iamReport,
      ...(usage ? { usage } : {}),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Runs `task` now and every `ms`, as an EventBridge schedule invokes a function, but never two at once (a run still
 * going skips its turn); a failure is logged, as Lambda would record it. Returns the stop, which does not wait for a
 * run under way (a sweep may drain for most of a minute; it ends with the engines).
 */
function runEvery(ms: number, task: () => Promise<unknown>): () => Promise<void> {
  let running: Promise<unknown> | undefined;
  const tick = () => {
    if (running) return;
    running = task()
      .catch((error: unknown) => log.warn('scheduled invocation failed', { error }))
      .finally(() => {
        running = undefined;
      });
  };
  tick();
  const timer = setInterval(tick, ms);
  timer.unref();
  return async () => {
    clearInterval(timer);
  };
}
