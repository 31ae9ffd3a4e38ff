import { parse } from 'csv-parse/sync';
import type { DeadLetter } from '../infra/local/dead-letters.ts';
import { type ApplicationListing, type BatchListing, FINAL_STATUSES } from './driver.ts';
import { type ChaosPlan, expectedApplications, FINAL_STATUS_OF, type PlannedApplication } from './plan.ts';
import type { AcceptedEvent } from './receiver.ts';

/** Events that report something other than a status change, carrying the application's current `sequence`. */
const NOT_STATUS_EVENTS = new Set(['application.review_overdue', 'application.verification_required', 'application.evidence_rejected']);

/** Everything the checks read, fresh, once the system is quiet. */
export interface FinalState {
  /** Every application of the tenant, by customer reference. */
  applications: Map<string, ApplicationListing[]>;
  /** The last `sequence` of each application's timeline (`GET /v1/applications/{id}`), by id. */
  sequences: Map<string, number>;
  /** Each batch (by number), its applications listed with `?batchId=`, and its report's lines. */
  batches: Map<number, { view: BatchListing; listed: ApplicationListing[]; report: Record<string, string>[] }>;
  /** The endpoint's delivery log. */
  deliveries: { id: string; eventId: string; eventType?: string; status: string }[];
  /** Events the receiver accepted, by webhook-id. */
  accepted: Map<string, AcceptedEvent>;
  badSignatures: number;
  deadLetters: DeadLetter[];
}

/** The counts of the summary line; every one must be 0. */
export interface ChaosCounts {
  lost: number;
  duplicated: number;
  notFinal: number;
  wrongOutcome: number;
  countMismatches: number;
  reportMismatches: number;
  eventGaps: number;
  undelivered: number;
  badSignatures: number;
  deadLetters: number;
}

/**
 * Holds the final state to the plan; each failure is a line for `log`:
 * - lost: a planned application (a single, or a row that is not to be refused) of which no application exists;
 * - duplicated: a customer reference (one per planned application) with more than one application, or an application
 *   the plan does not know;
 * - not final: an application in a status it can still leave;
 * - wrong outcome: a final status other than the one its path leads to (a `failed` one included);
 * - count mismatches: a batch not `completed`, or whose `rows` or `counts` differ from a fresh count of its
 *   applications (`GET /v1/applications?batchId=`) and of its refused rows;
 * - report mismatches: a batch whose report has not one line per row, in order, `created` with the application's id
 *   for each accepted row and `refused` for each row the plan has refused;
 * - event gaps: an application whose status events the receiver accepted are not exactly one per `sequence` from 1
 *   to its timeline's last (the events' `data.sequence`: each status change adds one, the other events repeat the
 *   current one), or a batch without its one `batch.completed`;
 * - undelivered: a delivery of the endpoint's log not `delivered`, or whose event the receiver never accepted;
 * - bad signatures: requests to the receiver that no secret of the endpoint verifies;
 * - dead letters: messages in the local runtime's dead-letter queues.
 */
export async function checkFinalState(plan: ChaosPlan, state: FinalState, log: (line: string) => void): Promise<ChaosCounts> {
  const counts: ChaosCounts = {
    lost: 0,
    duplicated: 0,
    notFinal: 0,
    wrongOutcome: 0,
    countMismatches: 0,
    reportMismatches: 0,
    eventGaps: 0,
    undelivered: 0,
    badSignatures: state.badSignatures,
    deadLetters: state.deadLetters.length,
  };
  const fail = (what: keyof ChaosCounts, line: string) => {
    counts[what] += 1;
    log(`chaos: ${String(what)}: ${line}`);
  };
  const planned = new Map(expectedApplications(plan).map((p) => [p.ref, p]));
  const refused = new Set([...plan.batches.flat()].filter((p) => p.path === 'refused').map((p) => p.ref));

  // Applications: each planned one exactly once, final, in the status its path leads to.
  for (const [ref, apps] of state.applications) {
    const path = planned.get(ref);
    if (!path) {
      fail('duplicated', `${apps.map((a) => a.id).join(', ')} (${ref}) ${refused.has(ref) ? 'from a row that was to be refused' : 'is not in the plan'}`);
      continue;
    }
    if (apps.length > 1) fail('duplicated', `${ref}: ${apps.length} applications (${apps.map((a) => `${a.id} ${a.status}`).join(', ')})`);
  }
  for (const [ref, path] of planned) {
    const app = state.applications.get(ref)?.[0];
    if (!app) {
      fail('lost', `${ref} (${describePlanned(path)}) has no application`);
      continue;
    }
    if (!FINAL_STATUSES.has(app.status)) fail('notFinal', `${ref} ${app.id} is ${app.status} (attempt ${app.attempts})`);
    else if (app.status !== FINAL_STATUS_OF[path.path as keyof typeof FINAL_STATUS_OF]) {
      fail('wrongOutcome', `${ref} ${app.id} ended ${app.status}, its path (${path.path}) leads to ${FINAL_STATUS_OF[path.path as keyof typeof FINAL_STATUS_OF]}`);
    }
  }

  // Batches: counts against a fresh count, and the report against the rows.
  plan.batches.forEach((rows, i) => {
    const n = i + 1;
    const batch = state.batches.get(n);
    if (!batch) {
      fail('countMismatches', `batch ${n} was never created`);
      fail('reportMismatches', `batch ${n} has no report`);
      return;
    }
    const { view, listed, report } = batch;
    const fresh: Record<string, number> = {};
    for (const app of listed) fresh[app.status] = (fresh[app.status] ?? 0) + 1;
    const shown = Object.fromEntries(Object.entries(view.counts).filter(([, c]) => c !== 0));
    const refusedRows = rows.filter((r) => r.path === 'refused').length;
    const expectedRows = { total: rows.length, accepted: rows.length - refusedRows, rejected: refusedRows };
    if (view.status !== 'completed') fail('countMismatches', `batch ${n} ${view.id} is ${view.status}`);
    if (JSON.stringify(sorted(shown)) !== JSON.stringify(sorted(fresh))) {
      fail('countMismatches', `batch ${n} ${view.id} counts ${JSON.stringify(sorted(shown))}, a fresh count ${JSON.stringify(sorted(fresh))}`);
    }
    if (view.rows.total !== expectedRows.total || view.rows.accepted !== expectedRows.accepted || view.rows.rejected !== expectedRows.rejected || listed.length !== expectedRows.accepted) {
      fail('countMismatches', `batch ${n} ${view.id} rows ${JSON.stringify(view.rows)} and ${listed.length} listed, the manifest ${JSON.stringify(expectedRows)}`);
    }
    const problems = reportProblems(rows, report, state.applications);
    if (problems.length > 0) fail('reportMismatches', `batch ${n} ${view.id}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`);
  });

  // Events: per application, one accepted status event per sequence from 1 to its last; one batch.completed a batch.
  const events = new Map<string, AcceptedEvent[]>();
  for (const event of state.accepted.values()) {
    const key = event.type === 'batch.completed' ? `batch:${String(event.data.batchId)}` : String(event.data.applicationId);
    events.set(key, [...(events.get(key) ?? []), event]);
  }
  for (const [ref] of planned) {
    const app = state.applications.get(ref)?.[0];
    if (!app) continue;
    const last = state.sequences.get(app.id);
    if (last === undefined) {
      fail('eventGaps', `${ref} ${app.id}: its timeline could not be read`);
      continue;
    }
    const bySequence = new Map<number, string[]>();
    for (const event of events.get(app.id) ?? []) {
      if (NOT_STATUS_EVENTS.has(event.type)) continue;
      const sequence = Number(event.data.sequence);
      bySequence.set(sequence, [...(bySequence.get(sequence) ?? []), event.type]);
    }
    const missing = range(1, last).filter((s) => !bySequence.has(s));
    const twice = [...bySequence].filter(([, types]) => types.length > 1).map(([s, types]) => `${s} (${types.join(', ')})`);
    const beyond = [...bySequence.keys()].filter((s) => s < 1 || s > last);
    if (missing.length + twice.length + beyond.length > 0) {
      fail(
        'eventGaps',
        `${ref} ${app.id} (last sequence ${last}): ${[missing.length ? `missing ${missing.join(', ')}` : '', twice.length ? `twice ${twice.join(', ')}` : '', beyond.length ? `beyond ${beyond.join(', ')}` : ''].filter(Boolean).join('; ')}`,
      );
    }
  }
  for (const [n, batch] of state.batches) {
    const completed = events.get(`batch:${batch.view.id}`) ?? [];
    if (completed.length !== 1) fail('eventGaps', `batch ${n} ${batch.view.id}: ${completed.length} batch.completed events accepted`);
  }
  for (const delivery of state.deliveries) {
    if (delivery.status !== 'delivered' || !state.accepted.has(delivery.eventId)) {
      fail('undelivered', `${delivery.id} (${delivery.eventType ?? '?'} ${delivery.eventId}) is ${delivery.status}${state.accepted.has(delivery.eventId) ? '' : ', its event never accepted'}`);
    }
  }
  for (const letter of state.deadLetters) log(`chaos: deadLetters: ${letter.source} at ${letter.at}: ${letter.error} ${JSON.stringify(letter.message).slice(0, 300)}`);
  return counts;
}

/** What is wrong with a batch's report, row by row. */
function reportProblems(rows: PlannedApplication[], report: Record<string, string>[], applications: Map<string, ApplicationListing[]>): string[] {
  const problems: string[] = [];
  if (report.length !== rows.length) problems.push(`${report.length} lines for ${rows.length} rows`);
  rows.forEach((planned, i) => {
    const line = report[i];
    if (!line) return;
    if (Number(line.row) !== (planned.row ?? i + 1)) problems.push(`line ${i + 1} is row ${line.row}`);
    if (planned.path === 'refused') {
      if (line.outcome !== 'refused') problems.push(`row ${planned.row} ${line.outcome}, to be refused`);
      return;
    }
    const app = applications.get(planned.ref)?.[0];
    if (line.outcome !== 'created') problems.push(`row ${planned.row} ${line.outcome} (${line.errorCode}), to be created`);
    else if (line.applicationId !== app?.id) problems.push(`row ${planned.row} names ${line.applicationId}, the application is ${app?.id ?? 'missing'}`);
  });
  return problems;
}

/** The report's CSV (with its BOM) as records. */
export function parseReport(csv: Buffer): Record<string, string>[] {
  return parse(csv, { columns: true, bom: true }) as Record<string, string>[];
}

/** Whether every count is 0. */
export function passed(counts: ChaosCounts): boolean {
  return Object.values(counts).every((n) => n === 0);
}

/**
 * `chaos: seed 42, 1000 rows + 200 applications, 1 kill: lost 0, duplicated 0, not final 0, wrong outcome 0, count
 * mismatches 0, report mismatches 0, event gaps 0, undelivered 0, bad signatures 0, dead letters 0 — PASS`
 */
export function summaryLine(run: { seed: number; rows: number; singles: number; kills: number }, counts: ChaosCounts): string {
  return (
    `chaos: seed ${run.seed}, ${run.rows} rows + ${run.singles} applications, ${run.kills} kill${run.kills === 1 ? '' : 's'}: ` +
    `lost ${counts.lost}, duplicated ${counts.duplicated}, not final ${counts.notFinal}, wrong outcome ${counts.wrongOutcome}, ` +
    `count mismatches ${counts.countMismatches}, report mismatches ${counts.reportMismatches}, event gaps ${counts.eventGaps}, ` +
    `undelivered ${counts.undelivered}, bad signatures ${counts.badSignatures}, dead letters ${counts.deadLetters} — ${passed(counts) ? 'PASS' : 'FAIL'}`
  );
}

function describePlanned(p: PlannedApplication): string {
  return p.batch === undefined ? `single, ${p.path}` : `batch ${p.batch} row ${p.row}, ${p.path}`;
}

function sorted(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
