/**
 * Decides, with a real IAM policy evaluator (`@cloud-copilot/iam-simulate`), whether a function's role allows an
 * authorisation request. The evaluator is AGPL-licensed: this module belongs to the local runtime and the tests, and
 * must never be imported by anything bundled into a Lambda function.
 */
import { type EvaluationResult, runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { LOCAL_ACCOUNT_ID } from '../step-functions/template.ts';
import type { AuthorizationRequest } from './classify.ts';
import type { FunctionIdentity } from './role-policies.ts';

/** The verdict on one authorisation request. */
export interface Decision {
  request: AuthorizationRequest;
  result: EvaluationResult;
  /**
   * Why it was denied, as AWS words it after `on resource: <arn>`: `because no identity-based policy allows the
   * s3:GetObjectVersion action`, `with an explicit deny in an identity-based policy`…
   */
  reason?: string;
}

/** The verdict on all the authorisations of one call: allowed only when every one is. */
export interface Authorization {
  allowed: boolean;
  /** The first denied request, when any. */
  denied?: Decision;
  decisions: Decision[];
}

/** What evaluating has cost so far. */
export interface EvaluatorStats {
  /** Authorisation requests answered. */
  requests: number;
  /** Of which answered from the cache. */
  cacheHits: number;
  /** Time spent in the evaluator (cache misses), in milliseconds. */
  evaluationMs: number;
}

export interface PolicyEvaluatorOptions {
  /** Decisions kept per (function, action, resource, context); the oldest are dropped past it. Default 50,000. */
  cacheSize?: number;
}

/** A function unknown to the evaluator: the caller named a function the templates do not have. */
export class UnknownFunctionError extends Error {
  override readonly name = 'UnknownFunctionError';
}

/**
 * Evaluates authorisation requests against each function's identity policies (and permissions boundary), as AWS
 * does for a role session in its own account: same account, no resource policies involved (the table, bucket and
 * state machines have none that grant), no SCPs.
 */
export class PolicyEvaluator {
  private readonly cache = new Map<string, Promise<Decision>>();
  private readonly cacheSize: number;
  private readonly counters: EvaluatorStats = { requests: 0, cacheHits: 0, evaluationMs: 0 };
  /** The condition keys each function's policies name for an action (lower case, as IAM compares them). */
  private readonly conditionKeys = new Map<string, ReadonlySet<string>>();

  constructor(
    private readonly identities: ReadonlyMap<string, FunctionIdentity>,
    options: PolicyEvaluatorOptions = {},
  ) {
    this.cacheSize = options.cacheSize ?? 50_000;
  }

  identity(functionId: string): FunctionIdentity | undefined {
    return this.identities.get(functionId);
  }

  get stats(): EvaluatorStats {
    return { ...this.counters };
  }

  /**
   * Whether `functionId` may make a call that needs all of `requests`.
   *
   * @throws UnknownFunctionError when the templates have no such function
   */
  async authorize(functionId: string, requests: readonly AuthorizationRequest[]): Promise<Authorization> {
    const decisions = await Promise.all(requests.map((request) => this.evaluate(functionId, request)));
    const denied = decisions.find((d) => d.result !== 'Allowed');
    return { allowed: denied === undefined, ...(denied ? { denied } : {}), decisions };
  }

  /**
   * The verdict on one request, cached per function, action, resource and context.
   *
   * @throws UnknownFunctionError when the templates have no such function
   */
  evaluate(functionId: string, request: AuthorizationRequest): Promise<Decision> {
    const identity = this.identities.get(functionId);
    if (identity === undefined) throw new UnknownFunctionError(`No function ${functionId} in the templates`);
    this.counters.requests++;
    const context = this.relevantContext(functionId, identity, request);
    const key = `${functionId}\n${request.action}\n${request.resource}\n${JSON.stringify(context)}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.counters.cacheHits++;
      return cached;
    }
    const decision = this.simulate(identity, { ...request, context });
    this.cache.set(key, decision);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
    // A failed evaluation is not remembered: the next call tries again (and fails loudly again).
    decision.catch(() => this.cache.delete(key));
    return decision;
  }

  /**
   * The context keys of `context` that some condition of the function's policies names for this action: the others
   * cannot change the verdict, and dropping them keeps one cached decision for, say, every item of the table a function
   * reads, although each request names its own partition key (`dynamodb:LeadingKeys`).
   */
  private relevantContext(functionId: string, identity: FunctionIdentity, request: AuthorizationRequest): NonNullable<AuthorizationRequest['context']> {
    if (!request.context) return {};
    const id = `${functionId}\n${request.action}`;
    let named = this.conditionKeys.get(id);
    if (!named) this.conditionKeys.set(id, (named = conditionKeysOf(identity, request.action)));
    const relevant = named;
    return Object.fromEntries(Object.entries(request.context).filter(([key]) => relevant.has(key.toLowerCase())));
  }

  private async simulate(identity: FunctionIdentity, request: AuthorizationRequest): Promise<Decision> {
    const started = performance.now();
    const simulation: Simulation = {
      request: {
        principal: identity.principalArn,
        action: request.action,
        resource: { resource: request.resource, accountId: LOCAL_ACCOUNT_ID },
        contextVariables: request.context ?? {},
      },
      identityPolicies: identity.policies.map((p) => ({ name: p.name, policy: p.document })),
      ...(identity.permissionsBoundary
        ? { permissionBoundaryPolicies: [{ name: identity.permissionsBoundary.name, policy: identity.permissionsBoundary.document }] }
        : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    };
    try {
      const outcome = await runSimulation(simulation, {});
      let result: EvaluationResult;
      let boundaryDenied = false;
      if (outcome.resultType === 'single') {
        result = outcome.overallResult;
        const boundary = outcome.result.analysis.permissionBoundaryAnalysis?.result;
        boundaryDenied = boundary !== undefined && boundary !== 'Allowed';
      } else if (outcome.resultType === 'error' && outcome.errors.message === 'must.use.wildcard') {
        // The service reference lists no resource type for this action (Step Functions' SendTask*), yet AWS authorises
        // it on a resource (the token's state machine): evaluated as AWS does, without the simulator's input checks.
        result = runUnsafeSimulation(simulation, {});
      } else if (outcome.resultType === 'error') {
        throw new Error(`IAM simulation of ${request.action} on ${request.resource} failed: ${JSON.stringify(outcome.errors)}`);
      } else {
        result = outcome.overallResult;
      }
      return { request, result, ...(result === 'Allowed' ? {} : { reason: reasonOf(request.action, result, boundaryDenied) }) };
    } finally {
      this.counters.evaluationMs += performance.now() - started;
    }
  }
}

/**
 * Every condition key named in the identity's policies and boundary (`{ Condition: { <operator>: { <key>: … } } }`) by
 * a statement that may apply to `action`: one whose `Action` matches it, or that has a `NotAction` (kept, not judged).
 */
function conditionKeysOf(identity: FunctionIdentity, action: string): ReadonlySet<string> {
  const keys = new Set<string>();
  const documents = [...identity.policies, ...(identity.permissionsBoundary ? [identity.permissionsBoundary] : [])].map((p) => p.document);
  for (const document of documents) {
    const statements = (document as { Statement?: unknown }).Statement;
    for (const statement of (Array.isArray(statements) ? statements : [statements]) as { Action?: unknown; NotAction?: unknown; Condition?: unknown }[]) {
      const patterns = statement?.NotAction === undefined ? [statement?.Action].flat() : ['*'];
      if (!patterns.some((pattern) => typeof pattern === 'string' && actionMatches(pattern, action))) continue;
      for (const operands of Object.values((statement.Condition ?? {}) as Record<string, Record<string, unknown>>)) {
        for (const key of Object.keys(operands ?? {})) keys.add(key.toLowerCase());
      }
    }
  }
  return keys;
}

/** IAM's action match: case-insensitive, `*` any run of characters, `?` one. */
function actionMatches(pattern: string, action: string): boolean {
  const expression = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${expression}$`, 'i').test(action);
}

function reasonOf(action: string, result: EvaluationResult, boundaryDenied: boolean): string {
  if (result === 'ExplicitlyDenied') return 'with an explicit deny in an identity-based policy';
  if (boundaryDenied) return `because no permissions boundary allows the ${action} action`;
  return `because no identity-based policy allows the ${action} action`;
}
