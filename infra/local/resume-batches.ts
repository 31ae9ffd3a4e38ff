import type { BatchDeps } from '../../shared/ports/batch-services.ts';
import type { Deps } from '../../shared/ports/deps.ts';
import { Batch } from '../../shared/domain/batch.ts';
import { log } from '../../shared/log.ts';
import { restartIngestion } from '../../shared/use-cases/batches/start-ingestion.ts';
import { scanEntities } from './scan-entities.ts';

/** Tries per batch before the start gives up (each after a fresh read, with a backoff from 0.2 s). */
const RESUME_ATTEMPTS = 5;

/**
 * Local executions live in this process's memory, so a restart loses the ingestion runs too. Every batch still
 * ingesting gets a new run, which carries on from the cursor the batch record holds (rows already written are found,
 * not written again). In AWS, executions survive on their own. Call it on start, after `resumeApplications`.
 * A failed try (the fault plan's throttling reaches the runtime's own calls too) is made again from a fresh read.
 */
export async function resumeBatches(deps: Pick<Deps, 'clock'> & Pick<BatchDeps, 'batches' | 'ingestion'>, tableName: string): Promise<number> {
  let resumed = 0;
  for await (const item of scanEntities(tableName, 'batch', ['ingesting'])) {
    const scanned = Batch.parse(item);
    for (let attempt = 1; ; attempt++) {
      try {
        const batch = attempt === 1 ? scanned : await deps.batches.get(scanned.id);
        if (batch?.status === 'ingesting') {
          await restartIngestion(deps, batch);
          resumed++;
        }
        break;
      } catch (error) {
        if (attempt >= RESUME_ATTEMPTS) throw error;
        log.warn('resuming a batch ingestion failed; trying again', { batchId: scanned.id, attempt, error });
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }
  if (resumed > 0) log.info('resumed batch ingestions', { count: resumed });
  return resumed;
}
