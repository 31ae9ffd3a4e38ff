import { config } from '../../config.ts';
import type { StartDrainer } from '../../ports/execution-starts.ts';
import { DynamoPace } from '../dynamo/dynamo-pace.ts';
import { DynamoStartQueue } from '../dynamo/dynamo-start-queue.ts';
import { PacedStarts, SfnExecutionLauncher } from '../sfn/paced-starts.ts';
import { bound } from './bound.ts';
import { documentClient } from './documents.ts';
import { paceSettingsOf } from './pace-config.ts';
import { pacedSfnClient } from './sfn-client.ts';

/**
 * The start queue and the pace (`PacedStarts`): the table's document client and the Step Functions client. Every
 * start of a review or a delivery goes through it; a function holds one, whatever starts it makes.
 */
export const pacedStarts: () => PacedStarts = bound(() => {
  const c = config();
  const documents = documentClient();
  return new PacedStarts(
    new DynamoStartQueue(documents, c.TABLE_NAME),
    new DynamoPace(documents, c.TABLE_NAME, paceSettingsOf(process.env)),
    new SfnExecutionLauncher(pacedSfnClient(), { review: c.REVIEW_STATE_MACHINE_ARN, delivery: c.DELIVERY_STATE_MACHINE_ARN }),
  );
});

/** Draining the start queue (the scheduled sweep of requests left behind). */
export const startDeps: () => { starts: StartDrainer } = bound(() => ({ starts: pacedStarts() }));
