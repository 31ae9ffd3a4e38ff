import { describe, expect, it } from 'vitest';
import { type ChaosCounts, checkFinalState, type FinalState, passed, summaryLine } from '../../../chaos/checks.ts';
import type { ApplicationListing } from '../../../chaos/driver.ts';
import { type ChaosPlan, FINAL_STATUS_OF, makePlan } from '../../../chaos/plan.ts';
import type { AcceptedEvent } from '../../../chaos/receiver.ts';

/**
 * The chaos run's checks, on a final state built by hand from a plan: the state a faultless run leaves passes every
 * check, and each way of losing, duplicating or stranding something is counted by its own check.
 */
describe('the chaos run checks', () => {
  const plan: ChaosPlan = makePlan({ seed: 32, singles: 4, rows: 10, batches: 2, siteSince: '2026-10-15' });

  /** What a run that kept every promise leaves: each application final as its path says, every event delivered. */
  function perfect(): FinalState {
    const applications = new Map<string, ApplicationListing[]>();
    const sequences = new Map<string, number>();
    const accepted = new Map<string, AcceptedEvent>();
    const deliveries: FinalState['deliveries'] = [];
    const deliver = (type: string, data: Record<string, unknown>) => {
      const id = `evt_${accepted.size + 1}`;
      accepted.set(id, { id, type, data });
      deliveries.push({ id: `dlv_${id}`, eventId: id, eventType: type, status: 'delivered' });
    };
    const batches: FinalState['batches'] = new Map();
    plan.batches.forEach((rows, b) => {
      const batchId = `bat_${b + 1}`;
      const listed: ApplicationListing[] = [];
      const report = rows.map((row) => {
        if (row.path === 'refused') return { row: String(row.row), outcome: 'refused', applicationId: '', errorCode: 'invalid_check_character' };
        const app: ApplicationListing = { id: `app_${batchId}_${row.row}`, status: FINAL_STATUS_OF[row.path], kind: row.body.kind, attempts: 1, customerRef: row.ref, batchId };
        listed.push(app);
        return { row: String(row.row), outcome: 'created', applicationId: app.id, errorCode: '' };
      });
      const counts: Record<string, number> = {};
      for (const app of listed) counts[app.status] = (counts[app.status] ?? 0) + 1;
      const refused = rows.filter((r) => r.path === 'refused').length;
      batches.set(b + 1, {
        view: { id: batchId, status: 'completed', rows: { total: rows.length, processed: rows.length, accepted: rows.length - refused, rejected: refused }, counts },
        listed,
        report,
      });
      deliver('batch.completed', { batchId });
    });
    for (const single of plan.singles) {
      const app: ApplicationListing = { id: `app_s_${single.ref}`, status: FINAL_STATUS_OF[single.path as keyof typeof FINAL_STATUS_OF], kind: single.body.kind, attempts: 1, customerRef: single.ref };
      applications.set(single.ref, [app]);
    }
    for (const batch of batches.values()) for (const app of batch.listed) applications.set(app.customerRef as string, [app]);
    for (const { id } of [...applications.values()].flat()) {
      // created, submitted, under review, the SMS notice (same sequence), approved
      sequences.set(id, 4);
      for (const [type, sequence] of [['application.created', 1], ['application.submitted', 2], ['application.under_review', 3], ['application.verification_required', 3], ['application.approved', 4]] as const) {
        deliver(type, { applicationId: id, sequence });
      }
    }
    return { applications, sequences, batches, deliveries, accepted, badSignatures: 0, deadLetters: [] };
  }

  const check = (state: FinalState): Promise<ChaosCounts> => checkFinalState(plan, state, () => {});
  const only = (counts: ChaosCounts, what: keyof ChaosCounts, n = 1) => {
    expect(counts[what]).toBe(n);
    expect(Object.entries(counts).filter(([k, v]) => k !== what && v !== 0)).toEqual([]);
  };

  it('passes the state of a run that kept every promise, and says so on its summary line', async () => {
    const counts = await check(perfect());

    expect(passed(counts)).toBe(true);
    expect(summaryLine({ seed: 32, rows: 10, singles: 4, kills: 1 }, counts)).toBe(
      'chaos: seed 32, 10 rows + 4 applications, 1 kill: lost 0, duplicated 0, not final 0, wrong outcome 0, count mismatches 0, ' +
        'report mismatches 0, event gaps 0, undelivered 0, bad signatures 0, dead letters 0 — PASS',
    );
  });

  it('counts an application lost, duplicated, not final, or ending other than its path', async () => {
    const [first, second, third, fourth] = plan.singles;
    const lost = perfect();
    lost.applications.delete(first!.ref);
    const duplicated = perfect();
    duplicated.applications.set(second!.ref, [...duplicated.applications.get(second!.ref)!, { ...duplicated.applications.get(second!.ref)![0]!, id: 'app_twice' }]);
    const stuck = perfect();
    stuck.applications.set(third!.ref, [{ ...stuck.applications.get(third!.ref)![0]!, status: 'under_review' }]);
    const failed = perfect();
    failed.applications.set(fourth!.ref, [{ ...failed.applications.get(fourth!.ref)![0]!, status: 'failed' }]);

    only(await check(lost), 'lost');
    only(await check(duplicated), 'duplicated');
    only(await check(stuck), 'notFinal');
    only(await check(failed), 'wrongOutcome');
  });

  it('counts a batch whose counts or rows differ from a fresh count, and a report that is not one line per row', async () => {
    const counted = perfect();
    const batch = counted.batches.get(1)!;
    batch.view.counts = { ...batch.view.counts, approved: (batch.view.counts.approved ?? 0) + 1 };
    const shortReport = perfect();
    shortReport.batches.get(2)!.report.pop();
    const refusedCreated = perfect();
    const refusedRow = plan.batches[0]!.findIndex((r) => r.path === 'refused');
    refusedCreated.batches.get(1)!.report[refusedRow] = { row: String(refusedRow + 1), outcome: 'created', applicationId: 'app_x', errorCode: '' };

    only(await check(counted), 'countMismatches');
    only(await check(shortReport), 'reportMismatches');
    only(await check(refusedCreated), 'reportMismatches');
  });

  it('counts an application whose status events have a gap or a double, a batch without batch.completed, an undelivered delivery, bad signatures and dead letters', async () => {
    const gap = perfect();
    const [gapId] = [...gap.accepted].find(([, e]) => e.type === 'application.submitted')!;
    gap.accepted.delete(gapId);
    const twice = perfect();
    const approved = [...twice.accepted.values()].find((e) => e.type === 'application.approved')!;
    twice.accepted.set('evt_again', { ...approved, id: 'evt_again', type: 'application.rejected' });
    const noCompletion = perfect();
    noCompletion.accepted.delete([...noCompletion.accepted].find(([, e]) => e.type === 'batch.completed')![0]);
    const pending = perfect();
    pending.deliveries[3] = { ...pending.deliveries[3]!, status: 'pending' };
    const signatures = { ...perfect(), badSignatures: 2 };
    const letters = { ...perfect(), deadLetters: [{ source: 'DispatchEvents', at: '2026-12-01T02:00:00Z', message: {}, error: 'Runtime.ExitError: killed' }] };

    // A missing event is also a delivery whose event never arrived
    expect(await check(gap)).toMatchObject({ eventGaps: 1, undelivered: 1 });
    only(await check(twice), 'eventGaps');
    expect(await check(noCompletion)).toMatchObject({ eventGaps: 1, undelivered: 1 });
    only(await check(pending), 'undelivered');
    only(await check(signatures), 'badSignatures', 2);
    only(await check(letters), 'deadLetters');
  });
});
