import type { BatchDeps } from '../../shared/ports/batch-services.ts';
import type { Deps } from '../../shared/ports/deps.ts';
import { Batch } from '../../shared/domain/batch.ts';
import { log } from '../../shared/log.ts';
import { restartIngestion } from '../../shared/use-cases/batches/start-ingestion.ts';
import { scanEntities } from './scan-entities.ts';

/**
 * Local executions live in this process's memory, so a restart loses the ingestion runs too. Every batch still
 * ingesting gets a new run, which carries on from the cursor the batch record holds (rows already written are found,
 * not written again). In AWS, executions survive on their own. Call it on start, after `resumeApplications`.
 */
export async function resumeBatches(deps: Pick<Deps, 'clock'> & Pick<BatchDeps, 'batches' | 'ingestion'>, tableName: string): Promise<number> {
  let resumed = 0;
  for await (const item of scanEntities(tableName, 'batch', ['ingesting'])) {
    await restartIngestion(deps, Batch.parse(item));
    resumed++;
  }
  if (resumed > 0) log.info('resumed batch ingestions', { count: resumed });
  return resumed;
}
