import { config } from '../../config.ts';
import type { Deps } from '../../ports/deps.ts';
import { SfnDeliveryWorkflow, SfnReviewWorkflow } from '../sfn/sfn-workflows.ts';
import { bound } from './bound.ts';
import { sfnClient } from './sfn-client.ts';
import { pacedStarts } from './start-deps.ts';

/**
 * The review and delivery state machines (start, answer a task token, stop): the Step Functions client, and the start
 * queue with the system's pace in the table (`pacedStarts`), through which every start goes.
 */
export const workflowDeps: () => Pick<Deps, 'review' | 'delivery'> = bound(() => {
  const c = config();
  return {
    review: new SfnReviewWorkflow(sfnClient(), c.REVIEW_STATE_MACHINE_ARN, pacedStarts()),
    delivery: new SfnDeliveryWorkflow(pacedStarts()),
  };
});
