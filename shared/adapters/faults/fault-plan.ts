/**
 * The fault plan of the local runtime (`FAULTS`, README, Configuration): which faults to inject into the functions'
 * AWS SDK calls and invocations, how often, from which seed. Local only: the CDK app never sets `FAULTS`, and without
 * it nothing below runs.
 *
 * `FAULTS=dynamodb:throttle:0.1,s3:5xx:0.1,sfn:throttle:0.1,lambda:crash:0.02,seed:42`: comma-separated
 * `service:fault:probability` entries (each SDK call attempt, or each invocation, draws once per entry) and an
 * optional `seed:<integer>` (default 1).
 */

/** The AWS services whose SDK clients take faults. */
export const SDK_SERVICES = ['dynamodb', 's3', 'sfn'] as const;
export type SdkService = (typeof SDK_SERVICES)[number];

/** What can go wrong with an SDK call attempt, before its request is sent (`sdk-faults.ts` gives each its real shape). */
export const SDK_FAULTS = ['throttle', '5xx', 'timeout', 'reset'] as const;
export type SdkFault = (typeof SDK_FAULTS)[number];

export interface FaultPlan {
  seed: number;
  /** Per service, each fault with its probability per call attempt, in the order given. */
  sdk: Partial<Record<SdkService, { fault: SdkFault; probability: number }[]>>;
  /** Probability that an invocation crashes (half before the handler runs, half after it returned). */
  lambdaCrash: number;
}

/** A `FAULTS` value that cannot be read; its message says which entry and what is allowed. */
export class FaultPlanError extends Error {
  override readonly name = 'FaultPlanError';
}

const SYNTAX = `service:fault:probability entries (${SDK_SERVICES.join('|')}:${SDK_FAULTS.join('|')}:p, lambda:crash:p) and seed:<integer>, comma-separated`;

/** The plan `FAULTS` describes, or undefined when it is unset or empty (no faults). @throws FaultPlanError */
export function parseFaultPlan(text: string | undefined): FaultPlan | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const plan: FaultPlan = { seed: 1, sdk: {}, lambdaCrash: 0 };
  const seen = new Set<string>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    const parts = entry.split(':');
    const bad = (why: string) => new FaultPlanError(`FAULTS: ${why} in "${entry}"; expected ${SYNTAX}`);
    if (parts[0] === 'seed' && parts.length === 2) {
      if (!/^\d{1,15}$/.test(parts[1] as string)) throw bad('the seed is not a non-negative integer');
      plan.seed = Number(parts[1]);
      continue;
    }
    if (parts.length !== 3) throw bad('not three fields');
    const [service, fault, p] = parts as [string, string, string];
    const probability = /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(p) ? Number(p) : Number.NaN;
    if (Number.isNaN(probability)) throw bad(`the probability "${p}" is not a number from 0 to 1`);
    if (seen.has(`${service}:${fault}`)) throw bad('a fault given twice');
    seen.add(`${service}:${fault}`);
    if (service === 'lambda') {
      if (fault !== 'crash') throw bad(`lambda has one fault, crash, not "${fault}"`);
      plan.lambdaCrash = probability;
    } else if ((SDK_SERVICES as readonly string[]).includes(service)) {
      if (!(SDK_FAULTS as readonly string[]).includes(fault)) throw bad(`unknown fault "${fault}"`);
      (plan.sdk[service as SdkService] ??= []).push({ fault: fault as SdkFault, probability });
    } else {
      throw bad(`unknown service "${service}"`);
    }
  }
  return plan;
}

/** The plan of this process's `FAULTS`. @throws FaultPlanError */
export function faultPlanFromEnv(env: Record<string, string | undefined> = process.env): FaultPlan | undefined {
  return parseFaultPlan(env.FAULTS);
}

/**
 * A deterministic stream of numbers in [0, 1) from the plan's seed and a stream name (mulberry32), so that each client
 * or host draws its own sequence: two functions' workers with the same seed do not fail in lockstep.
 */
export function seededRandom(seed: number, stream: string): () => number {
  let state = seed >>> 0;
  for (let i = 0; i < stream.length; i++) state = Math.imul(state ^ stream.charCodeAt(i), 0x9e3779b1) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A one-line account of the plan, for the runtime's start log. */
export function describeFaultPlan(plan: FaultPlan): string {
  const sdk = Object.entries(plan.sdk).flatMap(([service, faults]) => faults.map((f) => `${service}:${f.fault}:${f.probability}`));
  return [...sdk, ...(plan.lambdaCrash > 0 ? [`lambda:crash:${plan.lambdaCrash}`] : []), `seed:${plan.seed}`].join(',');
}
