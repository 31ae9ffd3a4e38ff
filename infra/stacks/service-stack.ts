import { ArnFormat, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { AlarmTopic } from '../constructs/alarm-topic.ts';
import { AppFunction } from '../constructs/app-function.ts';
import { BatchEvents } from '../constructs/batch-events.ts';
import { BatchIngestionWorkflow, type BatchIngestionTasks } from '../constructs/batch-ingestion-workflow.ts';
import type { BatchObjectPolicies } from '../constructs/batch-object-access.ts';
import { DeliveryWorkflow } from '../constructs/delivery-workflow.ts';
import { EvidenceNotifications } from '../constructs/evidence-notifications.ts';
import type { EvidenceAccess } from '../constructs/evidence-store.ts';
import { alarmNamePattern, OperationsAlarms, type MonitoredResources } from '../constructs/operations-alarms.ts';
import { OperationsDashboard } from '../constructs/operations-dashboard.ts';
import { OutboxDispatch } from '../constructs/outbox-dispatch.ts';
import { grantKeyUseRecording, grantTableRead, grantTableReadWrite } from '../constructs/records-table.ts';
import { acknowledgeWildcardResource } from '../constructs/nag.ts';
import { ReviewWorkflow, type ReviewWorkflowTasks } from '../constructs/review-workflow.ts';
import { ServiceApi } from '../constructs/service-api.ts';
import { StartSweep } from '../constructs/start-sweep.ts';
import { PaceConfig } from '../../shared/adapters/deps/pace-config.ts';
import { EVENT_RETENTION } from '../../shared/domain/retention.ts';
import {
  BATCH_EVIDENCE_CHECK,
  BATCH_SETTLEMENT,
  BATCH_TASKS,
  DELIVERY_TASKS,
  MANIFEST_UPLOADED,
  EVENT_DISPATCH,
  EVIDENCE_CHECK,
  HTTP_ROUTES,
  REVIEW_TASKS,
  START_SWEEP,
  type FunctionSpec,
} from './catalog.ts';

export interface ServiceStackProps extends StackProps {
  /** The records table (data stack). */
  table: dynamodb.ITable;
  /** The evidence bucket (data stack). */
  bucket: s3.IBucket;
  /** Policies for evidence objects (data stack). */
  evidenceAccess: EvidenceAccess;
  /** Policies for bulk batches' objects (data stack). */
  batchObjects: BatchObjectPolicies;
  /**
   * How long events and webhook delivery logs are kept, in days (`EVENT_RETENTION_DAYS`); without it, the CDK context
   * `eventRetentionDays`, else the default of `EVENT_RETENTION`.
   */
  eventRetentionDays?: number;
}

/**
 * The agency's evidence policy is deployment configuration: `cdk deploy -c evidenceSizeLimit=strict
 * -c evidenceRequireSignedForm=true -c evidenceRequireColour=false`. Each context key set becomes its variable on the
 * functions that apply the policy; unset keys leave the defaults of `shared/config.ts`.
 */
const EVIDENCE_POLICY_CONTEXT = {
  evidenceSizeLimit: { variable: 'EVIDENCE_SIZE_LIMIT', values: ['standard', 'strict'] },
  evidenceRequireSignedForm: { variable: 'EVIDENCE_REQUIRE_SIGNED_FORM', values: ['true', 'false'] },
  evidenceRequireColour: { variable: 'EVIDENCE_REQUIRE_COLOUR', values: ['true', 'false'] },
} as const;

/**
 * `cdk deploy -c alarmEmail=ops@example.com` subscribes that address to the alarm topic (AWS e-mails it a confirmation
 * link first). Other subscribers (a chat integration, a pager) subscribe to the topic's ARN, the `AlarmTopicArn` output.
 */
const ALARM_EMAIL_CONTEXT = 'alarmEmail';

/**
 * `cdk deploy -c eventRetentionDays=90` keeps events, webhook deliveries and their logs 90 days instead of 30
 * (`EVENT_RETENTION`): every function gets it as `EVENT_RETENTION_DAYS`, so whichever writes an event or a delivery
 * sets its expiry alike, and whichever reads one treats it as gone past it.
 */
const EVENT_RETENTION_CONTEXT = 'eventRetentionDays';

/**
 * `cdk deploy -c startExecutionRate=150 -c startExecutionBurst=300`: the system's one StartExecution pace (default
 * 300 a second, 300 at once; `PaceConfig`), set alike on every function that starts reviews or deliveries (they
 * share one bucket in the table, so they must agree on its rate). Set it below the account's quota when other
 * applications in the account and region start executions too.
 */
const START_PACE_CONTEXT = { startExecutionRate: 'START_EXECUTION_RATE', startExecutionBurst: 'START_EXECUTION_BURST' } as const;

/** Settings that are the same for every deployed function that reads them. */
const DEPLOYED_SETTINGS = {
  AUTHORITY_MODE: 'manual',
  WEBHOOKS_ALLOW_LOOPBACK: 'false',
  WEBHOOKS_ALLOW_HTTP: 'false',
  LOG_LEVEL: 'INFO',
} as const;

/**
 * The stateless half: the HTTP API and its functions, the review and delivery workflows, the evidence checker and
 * the outbox dispatcher, and what watches them (the alarm topic, the alarms, the dashboard). Every function comes from
 * the catalog (`catalog.ts`) and gets exactly the environment and permissions its spec names.
 */
export class ServiceStack extends Stack {
  readonly api: ServiceApi;
  readonly review: ReviewWorkflow;
  readonly delivery: DeliveryWorkflow;
  readonly batches: BatchIngestionWorkflow;
  readonly alarmTopic: AlarmTopic;
  readonly alarms: OperationsAlarms;
  /** Every function, by construct id. */
  readonly functions = new Map<string, AppFunction>();

  private readonly table: dynamodb.ITable;
  private readonly bucket: s3.IBucket;
  private readonly evidenceAccess: EvidenceAccess;
  private readonly batchObjects: BatchObjectPolicies;
  private readonly reviewName: string;
  private readonly batchesName: string;
  private readonly deliveryName: string;
  private readonly eventRetentionDays: number;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    this.eventRetentionDays = eventRetentionDaysOf(props.eventRetentionDays ?? this.node.tryGetContext(EVENT_RETENTION_CONTEXT));
    this.table = props.table;
    this.bucket = props.bucket;
    this.evidenceAccess = props.evidenceAccess;
    this.batchObjects = props.batchObjects;
    // Named after the stack so two deployments (stages) in one account do not clash.
    this.reviewName = `${this.stackName}-review`;
    this.deliveryName = `${this.stackName}-delivery`;
    // The local runtime finds this machine beside the review machine by these names (`make-batch-deps.ts`).
    this.batchesName = `${this.stackName}-batches`;

    const deliveryTasks = {
      deliverWebhook: this.fn('DeliverWebhook', DELIVERY_TASKS.deliverWebhook),
      giveUpDelivery: this.fn('GiveUpDelivery', DELIVERY_TASKS.giveUpDelivery),
    };
    this.delivery = new DeliveryWorkflow(this, 'Delivery', { tasks: deliveryTasks, stateMachineName: this.deliveryName });

    const reviewTasks = Object.fromEntries(
      Object.entries(REVIEW_TASKS).map(([key, spec]) => [key, this.fn(pascal(key), spec)]),
    ) as unknown as ReviewWorkflowTasks;
    this.review = new ReviewWorkflow(this, 'Review', { tasks: reviewTasks, stateMachineName: this.reviewName });

    const routes = HTTP_ROUTES.map((route) => {
      const handler = this.fn(route.id, route);
      // Every route with a table authenticates, and records its key's use: the read-only ones need a grant for that.
      if (route.table === 'read') grantKeyUseRecording(this.table, handler);
      return { routeKey: route.routeKey, id: route.id, handler };
    });
    this.api = new ServiceApi(this, 'Http', { routes });

    const evidenceChecker = this.fn('CheckEvidence', EVIDENCE_CHECK);
    const evidenceUploads = new EvidenceNotifications(this, 'EvidenceUploads', { bucket: this.bucket, checker: evidenceChecker });

    const batchTasks = Object.fromEntries(
      Object.entries(BATCH_TASKS).map(([key, spec]) => [key, this.fn(`Batch${pascal(key)}`, spec)]),
    ) as unknown as BatchIngestionTasks;
    this.batches = new BatchIngestionWorkflow(this, 'BatchIngestion', {
      tasks: batchTasks,
      stateMachineName: this.batchesName,
      chunkTimeout: Duration.seconds(BATCH_TASKS.ingestChunk.timeoutSeconds ?? 30),
      startReviewsTimeout: Duration.seconds(BATCH_TASKS.startReviews.timeoutSeconds ?? 30),
    });
    const batchEventFunctions = {
      manifestUploaded: this.fn('ManifestUploaded', MANIFEST_UPLOADED),
      evidenceChecker: this.fn('CheckBatchEvidence', BATCH_EVIDENCE_CHECK),
      settler: this.fn('SettleBatches', BATCH_SETTLEMENT),
    };
    const batchEvents = new BatchEvents(this, 'BatchEvents', {
      notificationBucket: evidenceUploads.bucket,
      table: this.table,
      ...batchEventFunctions,
    });

    const dispatcher = this.fn('DispatchEvents', EVENT_DISPATCH);
    const outbox = new OutboxDispatch(this, 'Outbox', { table: this.table, dispatcher });
    const sweeper = this.fn('SweepStarts', START_SWEEP);
    new StartSweep(this, 'StartSweep', { sweeper });

    const monitored: MonitoredResources = {
      api: this.api.api,
      deadLetterQueues: {
        OutboxDispatch: outbox.deadLetters,
        BatchSettlement: batchEvents.deadLetters,
        ManifestUploaded: batchEvents.manifestFailures,
        SharedEvidenceCheck: batchEvents.sharedEvidenceCheckFailures,
        EvidenceCheck: evidenceUploads.deadLetters,
      },
      workflows: { Review: this.review.stateMachine, BatchIngestion: this.batches.stateMachine },
      deliveryWorkflow: this.delivery.stateMachine,
      functions: {
        api: routes.map((route) => route.handler),
        events: [evidenceChecker, ...Object.values(batchEventFunctions), dispatcher, sweeper],
        workflowTasks: [...Object.values(reviewTasks), ...Object.values(deliveryTasks), ...Object.values(batchTasks)],
      },
      streamConsumers: { DispatchEvents: dispatcher, SettleBatches: batchEventFunctions.settler },
    };
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      alarmNamePattern: alarmNamePattern(this),
      ...this.alarmEmail(),
    });
    this.alarms = new OperationsAlarms(this, 'Alarms', { ...monitored, topic: this.alarmTopic.topic });
    new OperationsDashboard(this, 'Dashboard', { ...monitored, alarms: this.alarms.alarms });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'ReviewStateMachineArn', { value: this.review.stateMachine.stateMachineArn });
    new CfnOutput(this, 'DeliveryStateMachineArn', { value: this.delivery.stateMachine.stateMachineArn });
    new CfnOutput(this, 'BatchStateMachineArn', { value: this.batches.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topic.topicArn });
  }

  /** The e-mail address the CDK context subscribes to the alarm topic, if any (see `ALARM_EMAIL_CONTEXT`). */
  private alarmEmail(): { email?: string } {
    const value: unknown = this.node.tryGetContext(ALARM_EMAIL_CONTEXT);
    if (value === undefined || value === '') return {};
    if (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
      throw new Error(`CDK context ${ALARM_EMAIL_CONTEXT} must be an e-mail address; got ${JSON.stringify(value)}`);
    }
    return { email: value };
  }

  /** Creates a function from its spec and binds what the spec asks for: each environment variable with its grant. */
  private fn(id: string, spec: FunctionSpec): AppFunction {
    const environment: Record<string, string> = {
      ...(spec.table === 'none' ? {} : { TABLE_NAME: this.table.tableName }),
      LOG_LEVEL: DEPLOYED_SETTINGS.LOG_LEVEL,
      EVENT_RETENTION_DAYS: String(this.eventRetentionDays),
    };
    if (spec.evidence || spec.batchObjects) environment.BUCKET_NAME = this.bucket.bucketName;
    if (spec.batchIngestion === 'start') environment.BATCH_STATE_MACHINE_ARN = this.stateMachineArn(this.batchesName);
    if (spec.review === 'start' || spec.review === 'stop') {
      environment.REVIEW_STATE_MACHINE_ARN = this.stateMachineArn(this.reviewName);
    }
    if (spec.delivery === 'start') environment.DELIVERY_STATE_MACHINE_ARN = this.stateMachineArn(this.deliveryName);
    if (spec.review === 'start' || spec.delivery === 'start') Object.assign(environment, this.startPaceVariables());
    if (spec.webhooks) {
      environment.WEBHOOKS_ALLOW_LOOPBACK = DEPLOYED_SETTINGS.WEBHOOKS_ALLOW_LOOPBACK;
      environment.WEBHOOKS_ALLOW_HTTP = DEPLOYED_SETTINGS.WEBHOOKS_ALLOW_HTTP;
    }
    if (spec.authority) environment.AUTHORITY_MODE = DEPLOYED_SETTINGS.AUTHORITY_MODE;
    if (spec.evidencePolicy) Object.assign(environment, this.evidencePolicyVariables());

    const fn = new AppFunction(this, id, {
      entry: spec.entry,
      environment,
      ...(spec.timeoutSeconds ? { timeout: Duration.seconds(spec.timeoutSeconds) } : {}),
    });
    this.functions.set(id, fn);

    if (spec.table === 'read') grantTableRead(this.table, fn);
    if (spec.table === 'readWrite') grantTableReadWrite(this.table, fn);
    if (spec.evidence === 'presign') fn.role?.addManagedPolicy(this.evidenceAccess.put);
    if (spec.evidence === 'read') fn.role?.addManagedPolicy(this.evidenceAccess.read);
    if (spec.review === 'start') this.grantStates(fn, this.reviewName, ['states:StartExecution']);
    if (spec.review === 'respond') {
      this.grantStates(fn, this.reviewName, ['states:SendTaskSuccess', 'states:SendTaskFailure']);
    }
    if (spec.review === 'stop') this.grantStopExecutions(fn, this.reviewName);
    if (spec.delivery === 'start') this.grantStates(fn, this.deliveryName, ['states:StartExecution']);
    for (const access of spec.batchObjects ?? []) fn.role?.addManagedPolicy(this.batchObjects[access]);
    if (spec.batchIngestion === 'start') this.grantStates(fn, this.batchesName, ['states:StartExecution']);
    return fn;
  }

  /** The pace variables the CDK context sets (see `START_PACE_CONTEXT`), checked as the functions will read them. */
  private startPaceVariables(): Record<string, string> {
    const variables: Record<string, string> = {};
    for (const [key, variable] of Object.entries(START_PACE_CONTEXT)) {
      const value: unknown = this.node.tryGetContext(key);
      if (value !== undefined) variables[variable] = String(value);
    }
    const checked = PaceConfig.safeParse(variables);
    if (!checked.success) throw new Error(`CDK context ${Object.keys(START_PACE_CONTEXT).join('/')}: ${checked.error.message}`);
    return variables;
  }

  /** The evidence policy variables the CDK context sets (see `EVIDENCE_POLICY_CONTEXT`). */
  private evidencePolicyVariables(): Record<string, string> {
    const variables: Record<string, string> = {};
    for (const [key, { variable, values }] of Object.entries(EVIDENCE_POLICY_CONTEXT)) {
      const value: unknown = this.node.tryGetContext(key);
      if (value === undefined) continue;
      if (!(values as readonly string[]).includes(String(value))) {
        throw new Error(`CDK context ${key} must be one of ${values.join(', ')}; got ${JSON.stringify(value)}`);
      }
      variables[variable] = String(value);
    }
    return variables;
  }

  /**
   * The ARN of one of this stack's state machines, built from its fixed name rather than referenced: the review
   * machine references its task functions, so a function referencing the machine back would be a dependency cycle.
   */
  private stateMachineArn(name: string): string {
    return this.formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  /** StopExecution acts on executions, whose ARNs end in their names: all executions of one machine. */
  private grantStopExecutions(fn: AppFunction, machineName: string): void {
    const executions = this.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${machineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    iam.Grant.addToPrincipal({ grantee: fn, actions: ['states:StopExecution'], resourceArns: [executions] });
    if (fn.role) {
      acknowledgeWildcardResource(
        fn.role,
        executions,
        'A withdrawal stops the run of one application; execution names are only known at run time, so the grant covers the executions of the review state machine only.',
      );
    }
  }

  private grantStates(fn: AppFunction, machineName: string, actions: string[]): void {
    iam.Grant.addToPrincipal({ grantee: fn, actions, resourceArns: [this.stateMachineArn(machineName)] });
  }
}

/** The retention asked for (a prop, or the context's string), checked against `EVENT_RETENTION`'s bounds. */
function eventRetentionDaysOf(value: unknown): number {
  if (value === undefined) return EVENT_RETENTION.defaultDays;
  const days = Number(value);
  if (!Number.isInteger(days) || days < EVENT_RETENTION.minDays || days > EVENT_RETENTION.maxDays) {
    throw new Error(
      `${EVENT_RETENTION_CONTEXT} must be a whole number of days from ${EVENT_RETENTION.minDays} to ${EVENT_RETENTION.maxDays}; got ${JSON.stringify(value)}`,
    );
  }
  return days;
}

function pascal(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}
