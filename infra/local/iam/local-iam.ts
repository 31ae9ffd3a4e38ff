/**
 * IAM enforcement for the local runtime's bundled functions: one authorising proxy in front of each engine (DynamoDB
 * Local, the local S3, the local Step Functions API), whose endpoints the functions get instead of the engines'. Each
 * function signs with its own access key (`functionCredentials`), so every call it makes is evaluated against its
 * own role's policies from the synthesized templates, and a denied call fails as it would in AWS.
 *
 * The runtime's own calls (creating the table, polling the stream, the demo tenant, the simulated authority, resuming
 * workflows) keep the engines' own endpoints; any key other than a function's passes the proxies unrestricted.
 */
import { log } from '../../../shared/log.ts';
import { S3_LOCAL_CREDENTIALS } from '../engines/s3-local.ts';
import type { LocalEndpoints } from '../function-environment.ts';
import { type IamProxy, type ProxyDecision, startIamProxy } from './iam-proxy.ts';
import { identifyFunctions } from './local-credentials.ts';
import { PolicyEvaluator } from './policy-evaluator.ts';
import { type AppTemplates, type FunctionIdentity, type LocalNames, readBucketKeys, readFunctionIdentities, readTablePartitionKeys } from './role-policies.ts';

/** `enforce`: every call of a bundled function is authorised against its role; `off`: calls go to the engines as made. */
export type IamMode = 'enforce' | 'off';

/** What the proxies decided for one function's calls so far. */
export interface FunctionDecisions {
  /** Calls allowed. */
  allowed: number;
  /** Calls denied (answered AccessDenied). */
  denied: number;
  /** Per IAM action (`s3:GetObjectVersion`…): how often it was evaluated allowed, and denied. */
  actions: Record<string, { allowed: number; denied: number }>;
}

/** What the runtime tells about IAM enforcement. */
export interface IamReport {
  enforced: boolean;
  /** Decisions per function (by logical id); empty when not enforced. */
  decisions(): ReadonlyMap<string, FunctionDecisions>;
}

export interface LocalIamOptions {
  templates: AppTemplates;
  /** What the functions' environment names the table and the bucket locally (`{ TABLE_NAME: 'icp-cancel', … }`). */
  localNames: LocalNames;
  /** The engines' own endpoints. */
  engines: LocalEndpoints;
  /** The state machine whose execution a task token belongs to (`LocalStepFunctions.stateMachineOfTaskToken`). */
  stateMachineOfTaskToken: (taskToken: string) => string | undefined;
  /** Changes a role before its calls are evaluated (tests: take a permission away, to see the system fail as in AWS). */
  adjustRole?: (identity: FunctionIdentity) => FunctionIdentity;
}

export interface LocalIam extends IamReport {
  /** The proxies' endpoints, for the functions' `AWS_ENDPOINT_URL_*`. */
  endpoints: LocalEndpoints;
  stop(): Promise<void>;
}

/**
 * Starts the three proxies. Each denial is logged once (per function, action and resource) at WARN.
 *
 * @throws Error when the templates' roles cannot be read (see `readFunctionIdentities`)
 */
export async function startLocalIam(options: LocalIamOptions): Promise<LocalIam> {
  const identities = readFunctionIdentities(options.templates, options.localNames);
  const adjust = options.adjustRole;
  const evaluated = adjust ? new Map([...identities].map(([id, identity]) => [id, adjust(identity)])) : identities;
  const policies = new PolicyEvaluator(evaluated);
  const identify = identifyFunctions(identities.keys());
  const decisions = new Map<string, FunctionDecisions>();
  const logged = new Set<string>();

  const onDecision = (decision: ProxyDecision): void => {
    let counts = decisions.get(decision.functionId);
    if (!counts) decisions.set(decision.functionId, (counts = { allowed: 0, denied: 0, actions: {} }));
    counts[decision.allowed ? 'allowed' : 'denied']++;
    const evaluatedActions = decision.denied ? [decision.denied] : decision.authorizations;
    for (const { action } of evaluatedActions) {
      const perAction = (counts.actions[action] ??= { allowed: 0, denied: 0 });
      perAction[decision.allowed ? 'allowed' : 'denied']++;
    }
    const { denied } = decision;
    if (!denied) return;
    const key = `${decision.functionId} ${denied.action} ${denied.resource}`;
    if (logged.has(key)) return;
    logged.add(key);
    log.warn('local IAM: access denied', {
      functionId: decision.functionId,
      operation: decision.operation,
      action: denied.action,
      resource: denied.resource,
    });
  };

  const proxies: IamProxy[] = [];
  const stop = async () => {
    await Promise.all(proxies.map((proxy) => proxy.stop()));
  };
  try {
    const start = async (options: Parameters<typeof startIamProxy>[0]) => {
      const proxy = await startIamProxy(options);
      proxies.push(proxy);
      return proxy.url;
    };
    const common = { identify, policies, onDecision };
    const [dynamodb, s3, sfn] = await Promise.all([
      // Item operations carry their partition keys (dynamodb:LeadingKeys), which the key-use grant is conditioned on.
      start({ ...common, target: options.engines.dynamodb, service: 'dynamodb', classify: { partitionKeys: readTablePartitionKeys(options.templates, options.localNames) } }),
      start({
        ...common,
        target: options.engines.s3,
        service: 's3',
        // s3rver knows its own key; a function's presigned URL is checked against the function's secret first.
        upstreamCredentials: S3_LOCAL_CREDENTIALS,
        classify: { bucketKeys: readBucketKeys(options.templates, options.localNames) },
      }),
      start({ ...common, target: options.engines.sfn, service: 'states', classify: { stateMachineOfTaskToken: options.stateMachineOfTaskToken } }),
    ]);
    return {
      enforced: true,
      endpoints: { dynamodb, s3, sfn },
      decisions: () => new Map([...decisions].map(([id, counts]) => [id, structuredClone(counts)])),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
