import { FINAL_STATUSES, type ApplicationStatus } from '../../domain/application.ts';
import { acceptedRows, type Batch, type BatchCounts, isBatchSettled } from '../../domain/batch.ts';
import type { OutboxEvent } from '../../domain/records.ts';
import type { BatchDeps } from '../../ports/batch-services.ts';
import type { Deps } from '../../ports/deps.ts';

/** Application events after which nothing more happens to the application. */
const FINAL_EVENT_TYPES: ReadonlySet<string> = new Set([...FINAL_STATUSES].map((status) => `application.${status}`));

/**
 * Ends a batch when every row has reached an end: refused, or an application in a final status. Writes the batch as
 * `completed` and the `batch.completed` event in one transaction, guarded by the batch's version and the event's
 * fixed id, so however many callers race (the end of ingestion, the stream seeing each last application finish) the
 * event is written exactly once. Returns true when this call completed it.
 */
export async function settleBatch(deps: Pick<Deps, 'clock'> & Pick<BatchDeps, 'batches'>, batchId: string): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const batch = await deps.batches.get(batchId);
    if (!batch || batch.status !== 'ingested') return false;
    const counts = await deps.batches.counts(batchId);
    if (!isBatchSettled(batch, counts)) return false;
    const at = deps.clock.now().toISOString();
    if (await deps.batches.updateWithEvent(batch, { status: 'completed', completedAt: at, updatedAt: at }, completedEvent(batch, counts, at))) {
      return true;
    }
  }
  return false;
}

function completedEvent(batch: Batch, counts: BatchCounts, at: string): OutboxEvent {
  const accepted = acceptedRows(counts);
  return {
    // One id per batch: the event cannot be written twice.
    eventId: `evt_${batch.id.replace(/^bat_/, '')}_completed`,
    tenantId: batch.tenantId,
    event: {
      type: 'batch.completed',
      timestamp: at,
      data: {
        batchId: batch.id,
        status: 'completed',
        rows: { total: accepted + batch.rowsRefused, accepted, rejected: batch.rowsRefused },
        counts: Object.fromEntries(
          Object.entries(counts).filter(([status, n]) => FINAL_STATUSES.has(status as ApplicationStatus) && (n ?? 0) > 0),
        ) as Record<string, number>,
        completedAt: at,
      },
    },
  };
}

/**
 * The batches to look at after these outbox events: those of applications that just reached a final status. Each
 * status change wrote its batch counters in the same transaction as its event, so when the event is seen, the counts
 * already include it.
 */
export function batchesToSettle(events: readonly OutboxEvent[]): string[] {
  const batches = new Set<string>();
  for (const { event } of events) {
    if (!FINAL_EVENT_TYPES.has(event.type) || !('applicationId' in event.data)) continue;
    if (event.data.batchId) batches.add(event.data.batchId);
  }
  return [...batches];
}
