import { mapConcurrently } from '../../shared/concurrency.ts';
import { Delivery } from '../../shared/domain/records.ts';
import { log } from '../../shared/log.ts';
import type { Deps } from '../../shared/ports/deps.ts';
import { scanEntities } from './scan-entities.ts';

/** Tries per delivery before the start gives up, with a backoff from 0.2 s. */
const RESUME_ATTEMPTS = 5;
const RESUME_CONCURRENCY = 8;

/**
 * Local executions live in this process's memory, so a restart loses the webhook retry workflows too: a delivery
 * whose first attempt failed, waiting in its run for the next, would stay `pending` for ever, its event never sent. In
 * AWS the execution survives. Every delivery still pending gets its run again (the run of its current redelivery, its
 * first wait 0: the attempt comes at once, counted after those already made); one that was still to be dispatched
 * is attempted by that run, or by the dispatcher when it reads its stream record again, whichever comes first (a
 * receiver deduplicates on `webhook-id`, the event's id). Call it on start, before the API serves.
 */
export async function resumeDeliveries(deps: Pick<Deps, 'delivery'>, tableName: string): Promise<number> {
  const pending: Delivery[] = [];
  for await (const item of scanEntities(tableName, 'delivery', ['pending'])) pending.push(Delivery.parse(item));
  await mapConcurrently(pending, RESUME_CONCURRENCY, (delivery) => resumeDelivery(deps, delivery));
  if (pending.length > 0) log.info('resumed webhook deliveries', { count: pending.length });
  return pending.length;
}

async function resumeDelivery(deps: Pick<Deps, 'delivery'>, delivery: Delivery): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await deps.delivery.start({ deliveryId: delivery.deliveryId, tenantId: delivery.tenantId, run: delivery.redeliveries, waitSeconds: 0 });
      return;
    } catch (error) {
      // The runtime's own calls take a fault plan's throttling too (FAULTS); one failed start must not end the start.
      if (attempt >= RESUME_ATTEMPTS) throw error;
      log.warn('resuming a webhook delivery failed; trying again', { deliveryId: delivery.deliveryId, attempt, error });
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}
