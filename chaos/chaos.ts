import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDeadLetters } from '../infra/local/dead-letters.ts';
import { findFreePort } from '../infra/local/engines/free-port.ts';
import { seededRandom } from '../shared/adapters/faults/fault-plan.ts';
import { type ChaosCounts, checkFinalState, type FinalState, parseReport, passed } from './checks.ts';
import { ChaosClient, type ClientStats } from './client.ts';
import { type ApplicationListing, type BatchListing, Driver, FINAL_STATUSES, PDF } from './driver.ts';
import { makePlan } from './plan.ts';
import { ChaosReceiver } from './receiver.ts';
import { RuntimeProcess } from './runtime-process.ts';

/** The fault plan of a run unless `--faults` says otherwise (README "Fault injection"). */
export const DEFAULT_FAULTS = 'dynamodb:throttle:0.1,s3:5xx:0.1,sfn:throttle:0.1,lambda:crash:0.02';
/**
 * The system's clock at the first start (a Tuesday in a year the holiday calendar covers): the run never depends on
 * the day it is made. The restart moves it on by the time that passed, as a real clock would.
 */
export const CLOCK_START = '2026-12-01T10:00:00+08:00';
/** The day the planned sites closed, before the clock's start. */
const SITE_SINCE = '2026-10-15';

export interface ChaosOptions {
  seed: number;
  /** Batch rows, over `batches` CSV batches. */
  rows: number;
  batches: number;
  /** Single applications. */
  singles: number;
  /** The fault plan (`FAULTS`) without its seed: the run's seed is added. Empty: none. */
  faults: string;
  /** The whole run's bound: past it, the checks run on what there is (and fail on what is not done). */
  timeoutMs: number;
  /** How long the webhook receiver is down. */
  downMs: number;
  /** Share of the receiver's answers outside that window that are 429 or 503. */
  failureRate: number;
  /** Rows per ingestion task (`BATCH_CHUNK_ROWS`): small, so that a batch is read in many steps, one of them killed. */
  chunkRows: number;
  /** Progress and every failed check, one line each. */
  log: (line: string) => void;
  /** Keep the data folder and the runtime's logs even when the run passes. */
  keep?: boolean;
}

export interface ChaosReport {
  counts: ChaosCounts;
  kills: number;
  client: ClientStats;
  /** The receiver's answers by status. */
  answers: Map<number, number>;
  ms: number;
}

const TICK_MS = 300;
const PROGRESS_EVERY_MS = 60_000;
/** The wait for the webhooks ends when none came for this long (a delivery stuck, not late). */
const STALL_MS = 120_000;
/** How often the endpoints' whole delivery logs are read while waiting for deliveries still pending. */
const LOG_READ_EVERY_MS = 10_000;
/** How long the final reads may take past the run's deadline. */
const FINAL_READS_MS = 10 * 60_000;
const KILL_POLL_MS = 100;
/** The longest wait for the batches to reach the seeded share of their rows before the kill goes anyway. */
const KILL_WAIT_MS = 180_000;

/**
 * `npm run chaos`: the local runtime (`npm start`'s entry) in a process of its own with a fault plan on, a webhook
 * receiver that is down for a while and refuses at random, and the agency and the operator (`Driver`) taking
 * `singles` applications and `rows` CSV batch rows through their whole lifecycle over the HTTP API. Once reviews are
 * under way and the batches are part read, the runtime is killed (SIGKILL to its process group) at a seeded moment
 * and started again on the same data folder; the drive goes on. When everything is final (or the time is up) and
 * the webhooks have stopped coming, the final state is read fresh and checked (`checkFinalState`).
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { log } = options;
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const random = seededRandom(options.seed, 'chaos:run');
  const dir = mkdtempSync(join(tmpdir(), 'icp-chaos-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const plan = makePlan({ seed: options.seed, singles: options.singles, rows: options.rows, batches: options.batches, siteSince: SITE_SINCE });
  const receiver = new ChaosReceiver({ seed: options.seed, failureRate: options.failureRate });
  await receiver.start();
  const runtimeEnv: Record<string, string> = {
    PORT: String(await findFreePort()),
    AUTHORITY: 'manual',
    // Workflow waits and retries in milliseconds (a webhook's backoff, 30 s to 6 h, becomes 30 ms to 22 s).
    LOCAL_TIME_SCALE: '0.001',
    BATCH_CHUNK_ROWS: String(options.chunkRows),
    // The pace README gives for thousands of rows on two cores (at 300 a second reviews starve each other locally).
    START_EXECUTION_RATE: process.env.START_EXECUTION_RATE ?? '25',
    // To its log file, whatever the caller's level: what went wrong must be there to read.
    LOG_LEVEL: 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The run's seed seeds the faults too, unless the plan names its own.
    FAULTS: !options.faults || /(^|,)\s*seed:/.test(options.faults) ? options.faults : `${options.faults},seed:${options.seed}`,
  };
  const runtime = new RuntimeProcess({ dataDir, logDir: dir, env: runtimeEnv });
  const unhook = runtime.killOnExit();
  let kills = 0;
  let counts: ChaosCounts | undefined;
  try {
    log(
      `chaos: seed ${options.seed}, ${options.rows} rows in ${plan.batches.length} batches + ${options.singles} applications, ` +
        `faults ${runtimeEnv.FAULTS || 'none'}; starting the runtime on ${dataDir}`,
    );
    const firstStart = Date.now();
    const banner = await runtime.start({ LOCAL_CLOCK_START: CLOCK_START });
    log(`chaos: the runtime serves at ${banner.url} (${Math.round((Date.now() - firstStart) / 1000)} s to start)`);
    const client = new ChaosClient(banner.url, deadline, (line) => log(`chaos: slow: ${line}`));
    const keys = { agency: banner.agencyKey, operator: banner.operatorKey };
    const endpoints = await registerEndpoint(client, keys.agency, receiver);
    const sharedEvidenceId = await sharedEvidence(client, keys.agency, deadline);
    const driver = new Driver({ plan, client, keys, sharedEvidenceId, concurrency: 8, log });

    let driving = true;
    // A line a minute, so a long run shows where it stands.
    const progress = setInterval(() => {
      const apps = [...driver.listing.values()].flat();
      const final = apps.filter((a) => FINAL_STATUSES.has(a.status)).length;
      const batches = [...driver.batchViews.values()].map((b) => `${b.status} ${b.rows.processed}/${b.rows.total}`).join('; ');
      log(`chaos: progress: ${final}/${apps.length} applications final${batches ? `, batches ${batches}` : ''}, ${receiver.accepted.size} events accepted`);
    }, PROGRESS_EVERY_MS);
    progress.unref();
    const drive = (async () => {
      while (driving) {
        try {
          await driver.tick();
        } catch (error) {
          log(`chaos: a pass failed: ${String(error)}`);
        }
        await sleep(TICK_MS);
      }
    })();

    // Reviews first, then the batches on top of them; the receiver goes down a little later, for a while.
    await until(() => options.singles === 0 || someIn(driver.listing, ['submitted', 'under_review']), deadline, 'a review to start', log);
    driver.batchesAllowed = true;
    const downAt = Math.floor(random() * 5_000);
    setTimeout(() => {
      log(`chaos: the webhook receiver is down for ${options.downMs / 1000} s (${Math.round((Date.now() - started) / 1000)} s into the run)`);
      receiver.down(options.downMs);
    }, downAt).unref();

    // The kill: once the batches have read a seeded share of their rows (15–60%), while reviews are in flight.
    const share = 0.15 + random() * 0.45;
    const killBy = Math.min(deadline, Date.now() + KILL_WAIT_MS);
    let views: BatchListing[] = [];
    while (Date.now() < killBy) {
      if (driver.manifestsUploaded.size === plan.batches.length) {
        views = await batchViews(client, keys.agency, [...driver.batchIds.values()]);
        const total = views.reduce((n, v) => n + v.rows.total, 0);
        const read = views.reduce((n, v) => n + v.rows.processed, 0);
        if ((total > 0 && read / total >= share) || views.some((v) => v.status !== 'ingesting' && v.status !== 'awaiting_upload')) break;
      }
      await sleep(KILL_POLL_MS);
    }
    const inReview = countIn(driver.listing, ['submitted', 'under_review']);
    const atKill =
      `${Math.round((Date.now() - started) / 1000)} s into the run; batches ${views.map((v) => `${v.status} ${v.rows.processed}/${v.rows.total}${v.reviewsStartedAt ? '' : ', reviews starting'}`).join('; ') || 'not sent'}; ` +
      `${inReview} applications submitted or under review (last pass)`;
    log(`chaos: SIGKILL to the runtime: ${atKill}`);
    const killed = Date.now();
    await runtime.kill();
    kills += 1;
    const restarting = Date.now();
    log(`chaos: the runtime is down (DynamoDB Local's port closed ${Math.round((restarting - killed) / 1000)} s after the kill); starting it again`);
    await runtime.start({ LOCAL_CLOCK_START: new Date(Date.parse(CLOCK_START) + (Date.now() - firstStart)).toISOString() });
    log(`chaos: the runtime is back on the same data folder (${Math.round((Date.now() - killed) / 1000)} s after the kill)`);

    await until(() => driver.done, deadline, 'every application final and every batch completed', log, 500);
    driving = false;
    clearInterval(progress);
    await drive;
    await driver.settle();
    log(`chaos: ${driver.done ? 'everything final' : 'time is up'} ${Math.round((Date.now() - started) / 1000)} s into the run; waiting for the webhooks`);

    // The final reads get a deadline of their own: a run out of time still reads what there is and says what is wrong.
    const reader = new ChaosClient(banner.url, Math.max(deadline, Date.now()) + FINAL_READS_MS, (line) => log(`chaos: slow: ${line}`));
    const state = await quietState(reader, keys.agency, driver, endpoints, receiver, plan.batches.length, Math.max(deadline, Date.now() + STALL_MS), log);
    const stopping = Date.now();
    await runtime.stop();
    log(`chaos: the runtime stopped in ${Math.round((Date.now() - stopping) / 1000)} s`);
    state.deadLetters = readDeadLetters(dataDir);
    counts = await checkFinalState(plan, state, log);
    return { counts, kills, client: client.stats, answers: receiver.answers, ms: Date.now() - started };
  } finally {
    await runtime.stop().catch(() => undefined);
    unhook();
    await receiver.stop();
    if (!keepIt()) rmSync(dir, { recursive: true, force: true });
    else {
      writeFileSync(join(dir, 'receiver.jsonl'), receiver.requests.map((r) => JSON.stringify(r)).join('\n'));
      log(`chaos: the data folder, the runtime's logs and what the receiver got are kept in ${dir}`);
    }
  }

  function keepIt(): boolean {
    return options.keep === true || counts === undefined || !passed(counts);
  }
}

/**
 * Registers the receiver and learns its secret. When the answer was lost (a crash after the endpoint was written) and
 * the retry made a second endpoint, each extra one gets a new secret by rotation, so every endpoint's signatures can be
 * verified. Returns the ids of the endpoints with the receiver's URL.
 */
async function registerEndpoint(client: ChaosClient, key: string, receiver: ChaosReceiver): Promise<string[]> {
  const created = await client.call(key, 'POST', '/v1/webhook-endpoints', { url: receiver.url });
  if (created.status !== 201) throw new Error(`POST /v1/webhook-endpoints answered ${created.status} ${JSON.stringify(created.body)}`);
  receiver.addSecret(created.body.secret as string);
  const listed = await client.call(key, 'GET', '/v1/webhook-endpoints');
  const ours = ((listed.body.items ?? []) as { id: string; url: string }[]).filter((e) => e.url === receiver.url).map((e) => e.id);
  for (const id of ours.filter((id) => id !== created.body.id)) {
    const rotated = await client.call(key, 'POST', `/v1/webhook-endpoints/${id}/rotate-secret`);
    if (rotated.status === 200) receiver.addSecret(rotated.body.secret as string);
  }
  return ours;
}

/** The batches' shared closure proof, uploaded and accepted (again with a new upload if one fails). */
async function sharedEvidence(client: ChaosClient, key: string, deadline: number): Promise<string> {
  while (Date.now() < deadline) {
    const answer = await client.call(key, 'POST', '/v1/batch-evidence', { kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length });
    if (answer.status !== 201) throw new Error(`POST /v1/batch-evidence answered ${answer.status} ${JSON.stringify(answer.body)}`);
    const id = answer.body.evidenceId as string;
    if (!(await client.put(answer.body.uploadUrl, PDF, answer.body.headers ?? { 'content-type': 'application/pdf' }))) continue;
    for (let waited = 0; waited < 60_000; waited += 200) {
      const status = (await client.call(key, 'GET', `/v1/batch-evidence/${id}`)).body.status;
      if (status === 'accepted') return id;
      if (status === 'rejected') throw new Error(`the shared evidence ${id} was rejected`);
      await sleep(200);
    }
  }
  throw new Error('the shared evidence was never accepted');
}

/**
 * Waits until the receiver has accepted every status event of every application (up to its timeline's last
 * sequence) and each batch's `batch.completed`, and the endpoints' logs hold no delivery still pending, or `until`;
 * then reads everything the checks need, fresh.
 */
async function quietState(
  client: ChaosClient,
  key: string,
  driver: Driver,
  endpoints: string[],
  receiver: ChaosReceiver,
  batches: number,
  until: number,
  log: (line: string) => void,
): Promise<FinalState> {
  const get = (path: string) => client.call(key, 'GET', path);
  const from = Date.now();
  const applications = await driver.listApplications();
  const ids = [...applications.values()].flat().map((a) => a.id);
  const sequences = new Map<string, number>();
  await forEach(ids, 8, async (id) => {
    const answer = await get(`/v1/applications/${id}`);
    if (answer.status === 200) sequences.set(id, Math.max(0, ...(answer.body.timeline as { sequence: number }[]).map((t) => t.sequence)));
  });
  log(`chaos: ${sequences.size} timelines read in ${Math.round((Date.now() - from) / 1000)} s`);
  const missingEvents = () => {
    const seen = new Set<string>();
    for (const event of receiver.accepted.values()) {
      seen.add(event.type === 'batch.completed' ? `batch:${String(event.data.batchId)}` : `${String(event.data.applicationId)}#${String(event.data.sequence)}`);
    }
    let missing = 0;
    for (const [id, last] of sequences) for (let s = 1; s <= last; s++) missing += Number(!seen.has(`${id}#${s}`));
    for (const id of driver.batchIds.values()) missing += Number(!seen.has(`batch:${id}`));
    return missing;
  };
  // Deliveries trail the applications (the dispatcher sends each event in stream order, one after the other): wait
  // while they come, until every status event is in and no delivery is pending, or nothing new came for a while.
  let deliveries: FinalState['deliveries'] = [];
  let accepted = receiver.accepted.size;
  let progressAt = Date.now();
  let logReadAt = 0;
  for (;;) {
    if (receiver.accepted.size !== accepted) {
      accepted = receiver.accepted.size;
      progressAt = Date.now();
    }
    const missing = missingEvents();
    const stalled = Date.now() - progressAt > STALL_MS || Date.now() > until;
    if ((missing === 0 && Date.now() - logReadAt > LOG_READ_EVERY_MS) || stalled) {
      deliveries = await deliveryLog(client, key, endpoints);
      logReadAt = Date.now();
      const pending = deliveries.filter((d) => d.status === 'pending').length;
      if ((missing === 0 && pending === 0) || stalled) {
        log(`chaos: ${missing} status events not accepted, ${pending} deliveries pending${stalled ? ` (stopped waiting: ${Date.now() > until ? 'the deadline' : `nothing new for ${STALL_MS / 1000} s`})` : ''}`);
        break;
      }
    }
    await sleep(1_000);
  }
  // Nothing more should come; a moment for a straggler, then the receiver is read as it is.
  const quietFrom = Date.now();
  while (Date.now() - receiver.lastRequestAt < 2_000 && Date.now() < until) await sleep(500);
  log(`chaos: the receiver quiet after ${Math.round((Date.now() - quietFrom) / 1000)} s`);

  const fresh = await driver.listApplications();
  log(`chaos: listed ${fresh.size} customer references`);
  const state: FinalState['batches'] = new Map();
  for (let n = 1; n <= batches; n++) {
    const id = driver.batchIds.get(n);
    if (!id) continue;
    const view = (await get(`/v1/batches/${id}`)).body as BatchListing;
    const listed: ApplicationListing[] = [];
    let cursor: string | undefined;
    do {
      const page = await get(`/v1/applications?batchId=${id}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      listed.push(...(page.body.items as ApplicationListing[]));
      cursor = page.body.nextCursor as string | undefined;
    } while (cursor);
    const link = await get(`/v1/batches/${id}/report`);
    const report = link.status === 200 ? parseReport(await client.download(link.body.url as string)) : [];
    state.set(n, { view, listed, report });
    log(`chaos: batch ${n} read (${listed.length} applications, ${report.length} report lines)`);
  }
  return {
    applications: fresh,
    sequences,
    batches: state,
    deliveries,
    accepted: receiver.accepted,
    badSignatures: receiver.badSignatures,
    deadLetters: [],
  };
}

/** The delivery logs of the receiver's endpoints, whole. */
async function deliveryLog(client: ChaosClient, key: string, endpoints: string[]): Promise<FinalState['deliveries']> {
  const deliveries: FinalState['deliveries'] = [];
  for (const endpoint of endpoints) {
    let cursor: string | undefined;
    do {
      const page = await client.call(key, 'GET', `/v1/webhook-endpoints/${endpoint}/deliveries?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      deliveries.push(...(page.body.items as FinalState['deliveries']));
      cursor = page.body.nextCursor as string | undefined;
    } while (cursor);
  }
  return deliveries;
}

async function batchViews(client: ChaosClient, key: string, ids: string[]): Promise<BatchListing[]> {
  return Promise.all(ids.map(async (id) => (await client.call(key, 'GET', `/v1/batches/${id}`)).body as BatchListing));
}

function someIn(listing: Map<string, ApplicationListing[]>, statuses: string[]): boolean {
  return countIn(listing, statuses) > 0;
}

function countIn(listing: Map<string, ApplicationListing[]>, statuses: string[]): number {
  return [...listing.values()].flat().filter((a) => statuses.includes(a.status)).length;
}

/** Waits for `condition` until `deadline`; false (and said) when the deadline came first. */
async function until(condition: () => boolean, deadline: number, what: string, log: (line: string) => void, everyMs = 200): Promise<boolean> {
  while (!condition()) {
    if (Date.now() > deadline) {
      log(`chaos: the run's deadline passed waiting for ${what}`);
      return false;
    }
    await sleep(everyMs);
  }
  return true;
}

async function forEach<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
