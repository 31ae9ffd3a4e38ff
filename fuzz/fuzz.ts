import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { type LocalRuntime, startLocalRuntime } from '../infra/local/runtime.ts';
import { HTTP_ROUTES } from '../infra/stacks/catalog.ts';
import { createTenant } from '../shared/use-cases/authenticate.ts';
import { apiClient } from '../test/support/api-client.ts';
import { createTenantResources } from '../test/support/resources.ts';
import { activityOf, settle, type TableChange, TableChanges } from '../test/support/table-changes.ts';
import { startWebhookReceiver } from '../test/support/webhook-receiver.ts';
import { type FuzzKeys, type FuzzRequest, GATEWAY_BODY_LIMIT, LAMBDA_EVENT_LIMIT, requestArbitrary } from './requests.ts';
import { routeInputs } from './routes.ts';
import { closeConnections, type FuzzResponse, send } from './send.ts';

/** An answer slower than this is a failure. */
export const SLOW_MS = 10_000;
/** Requests made from one seed derived from the run's (so that the run's requests are made a chunk at a time). */
const CHUNK = 50;
/** The longest wait for the system to be quiet after a request before the next one goes anyway. */
const SETTLE_MAX_MS = 120_000;

export interface FuzzOptions {
  seed: number;
  requests: number;
  /** Progress and one line per failure (the summary line is the caller's to print). */
  log?: (line: string) => void;
  /** Also logs every request and its answer (to find the one behind a failure seen elsewhere, in a function's log). */
  trace?: boolean;
}

/** One request that broke a rule. */
export interface FuzzFailure {
  index: number;
  rule: 'server error' | 'not problem+json' | 'slow' | 'refused but changed';
  request: FuzzRequest;
  response: FuzzResponse;
  detail: string;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  serverErrors: number;
  notProblem: number;
  slow: number;
  changedOnRefusal: number;
  /** Refused requests whose window had changes made while other functions ran (not counted in `changedOnRefusal`). */
  unattributed: number;
  failures: FuzzFailure[];
  /** Answers by status, for the record. */
  statuses: Map<number, number>;
  /** Requests by the route they were aimed at. */
  routes: Map<string, number>;
  ms: number;
}

/**
 * Fuzzes the HTTP API of a local runtime of its own: `requests` requests made with fast-check from the route
 * catalogue and the request schemas (`routes.ts`, `requests.ts`), one after the other, each checked for:
 * - no answer ≥ 500;
 * - every error (≥ 400) `application/problem+json` whose `status` is the HTTP status, but for API Gateway's own plain
 *   413s for a body over 10 MiB or an event over Lambda's 6 MiB (they come before any function, in AWS as here);
 * - no answer slower than {@link SLOW_MS};
 * - no change to any record of the table by a refused request (4xx): the changes are read from the table's stream
 *   (`TableChanges`), with the system quiet before each request.
 *
 * The runtime runs with a manual authority and its workflows' waits and retries stretched a thousand times
 * (`timeScale`), so that nothing changes the table on its own in the middle of a run: the webhook retry waits, the
 * review and correction deadlines, the SMS window and the start-queue sweep come after it ends. What a request sets off
 * (its workflow steps, the stream's functions) is waited for before the next request (`settle`). The one change left
 * that no request makes, an item removed by DynamoDB when its `expiresAt` passes (TTL), is not counted.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const routes = routeInputs(HTTP_ROUTES);
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-fuzz-'));
  const receiver = await startWebhookReceiver();
  let runtime: LocalRuntime | undefined;
  let changes: TableChanges | undefined;
  try {
    runtime = await startLocalRuntime({ port: 0, dataDir, authority: 'manual', authorityDelayMs: 0, timeScale: 1_000 });
    const other = await createTenant(runtime.deps, { name: 'Another agency (fuzz)' });
    const keys: FuzzKeys = {
      agency: runtime.demoTenant.agencyKey,
      operator: runtime.demoTenant.operatorKey,
      otherAgency: other.agencyKey,
      otherOperator: other.operatorKey,
    };
    const resources = await createTenantResources(apiClient(runtime.url, keys.agency), apiClient(runtime.url, keys.operator), receiver.url);
    changes = await TableChanges.open();
    await settle(runtime, changes, { maxMs: 30_000 });
    log(`fuzz: seed ${options.seed}, ${options.requests} requests over ${routes.length} routes (replay: npm run fuzz -- --seed ${options.seed} --requests ${options.requests})`);

    const arbitrary = requestArbitrary(routes, { resources, webhookUrl: receiver.url }, keys);
    const report: FuzzReport = {
      seed: options.seed,
      requests: 0,
      serverErrors: 0,
      notProblem: 0,
      slow: 0,
      changedOnRefusal: 0,
      unattributed: 0,
      failures: [],
      statuses: new Map(),
      routes: new Map(),
      ms: 0,
    };
    let unsettled = false;
    for (let first = 0; first < options.requests; first += CHUNK) {
      const count = Math.min(CHUNK, options.requests - first);
      const batch = fc.sample(arbitrary, { seed: chunkSeed(options.seed, first / CHUNK), numRuns: count });
      for (const [offset, request] of batch.entries()) {
        const index = first + offset;
        const before = activityOf(runtime);
        const response = await send(runtime.url, request);
        const during = await changes.drain();
        const after = activityOf(runtime);
        // The system was not quiet when the request went (work an earlier request set off outlasted the wait): the
        // window's changes cannot be told apart, so they are not held against this request, but said. Otherwise
        // everything in the window is the request's, a workflow it started included.
        const background = unsettled || before.busy;
        if (options.trace) log(describe({ index, rule: 'trace', request, response, detail: `${during.length} changes` }));
        const failures = judge(index, request, response, background ? [] : during);
        if (background && during.length > 0 && response.status >= 400 && response.status < 500) {
          report.unattributed += 1;
          log(`fuzz: #${index} refused while other functions ran (${[...before.running, ...after.running].join(', ') || 'invoked meanwhile'}): its window's ${during.length} changes are not counted`);
        }
        for (const failure of failures) {
          report.failures.push(failure);
          log(describe(failure));
        }
        report.requests += 1;
        report.serverErrors += Number(failures.some((f) => f.rule === 'server error'));
        report.notProblem += Number(failures.some((f) => f.rule === 'not problem+json'));
        report.slow += Number(failures.some((f) => f.rule === 'slow'));
        report.changedOnRefusal += Number(failures.some((f) => f.rule === 'refused but changed'));
        report.statuses.set(response.status, (report.statuses.get(response.status) ?? 0) + 1);
        report.routes.set(request.routeKey, (report.routes.get(request.routeKey) ?? 0) + 1);
        // The request set something off (a workflow, a stream function): let it finish before the next request. A
        // batch of 1,000 rows, each with its events to deliver, takes a while.
        if (during.length > 0 || background || after.busy || after.invocations - before.invocations > 1) {
          const settled = await settle(runtime, changes, { maxMs: SETTLE_MAX_MS });
          unsettled = settled.timedOut;
          if (settled.timedOut) log(`fuzz: #${index} still busy after ${settled.waitedMs} ms (${settled.busy}); going on`);
        }
      }
      if ((first + count) % 1_000 === 0) log(`fuzz: ${first + count} requests, ${report.failures.length} failures, ${Math.round((Date.now() - started) / 1000)} s`);
    }
    report.ms = Date.now() - started;
    return report;
  } finally {
    closeConnections();
    changes?.close();
    await runtime?.stop();
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The rules a request's answer and its changes to the table are held to. */
function judge(index: number, request: FuzzRequest, response: FuzzResponse, changes: TableChange[]): FuzzFailure[] {
  const failures: FuzzFailure[] = [];
  const fail = (rule: FuzzFailure['rule'], detail: string) => failures.push({ index, rule, request, response, detail });
  if (response.status === -1) return failures; // Node would not send it: no request was made.
  if (response.status >= 500 || response.status === 0) fail('server error', response.error ?? `answered ${response.status}`);
  else if (response.status >= 400) {
    const problem = problemError(request, response);
    if (problem) fail('not problem+json', problem);
  }
  if (response.ms > SLOW_MS) fail('slow', `answered in ${Math.round(response.ms)} ms`);
  const made = changes.filter((c) => !c.expired);
  if (response.status >= 400 && response.status < 500 && made.length > 0) {
    fail('refused but changed', made.map((c) => `${c.event} ${c.pk} ${c.sk}`).join(', '));
  }
  return failures;
}

/** Why an error answer is not the problem+json it should be; undefined when it is. */
function problemError(request: FuzzRequest, response: FuzzResponse): string | undefined {
  const size = request.body?.length ?? 0;
  const text = response.body.toString('utf8');
  // API Gateway's own refusals, before any function: a body over its limit, an event over Lambda's.
  if (response.status === 413 && size > GATEWAY_BODY_LIMIT && text === '{"message":"Request Entity Too Large"}') return undefined;
  if (response.status === 413 && size > LAMBDA_EVENT_LIMIT * 0.7 && text === '{"message":"Request Too Long"}') return undefined;
  if (!/^application\/problem\+json\b/.test(response.contentType ?? '')) return `content-type ${response.contentType ?? '(none)'}: ${text.slice(0, 200)}`;
  if (request.method === 'HEAD') return undefined; // no body to read
  try {
    const status = (JSON.parse(text) as { status?: unknown }).status;
    return status === response.status ? undefined : `body status ${JSON.stringify(status)}`;
  } catch {
    return `body is not JSON: ${text.slice(0, 200)}`;
  }
}

/** One line per failure: what was sent and what came back, enough to make the request again by hand. */
function describe(failure: Omit<FuzzFailure, 'rule'> & { rule: string }): string {
  const { request, response } = failure;
  const target = request.target.length > 300 ? `${request.target.slice(0, 300)}…(${request.target.length})` : request.target;
  const body = request.body ? `${request.body.subarray(0, 300).toString('utf8')}${request.body.length > 300 ? `…(${request.body.length} bytes)` : ''}` : '';
  return (
    `fuzz: #${failure.index} ${failure.rule}: ${request.method} ${target} [${request.routeKey}; ${request.shape}] → ${response.status} ` +
    `${response.body.subarray(0, 300).toString('utf8')} (${failure.detail})${body ? `\n      body: ${body}` : ''}`
  );
}

/** The seed of the `chunk`-th chunk of a run: a fixed function of the run's seed. */
function chunkSeed(seed: number, chunk: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(chunk + 1, 0xc2b2ae35)) | 0;
}

/** `fuzz: 10000 requests, seed 42, 0 ≥ 500, 0 not problem+json, 0 over 10 s, 0 refused requests that changed a record` */
export function summaryLine(report: FuzzReport): string {
  return (
    `fuzz: ${report.requests} requests, seed ${report.seed}, ${report.serverErrors} ≥ 500, ${report.notProblem} not problem+json, ` +
    `${report.slow} over ${SLOW_MS / 1000} s, ${report.changedOnRefusal} refused requests that changed a record`
  );
}

/** Whether the run kept every rule. */
export function passed(report: FuzzReport): boolean {
  return report.serverErrors + report.notProblem + report.slow + report.changedOnRefusal === 0;
}
