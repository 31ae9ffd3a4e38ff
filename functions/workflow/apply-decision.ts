import { compose } from '../../shared/adapters/deps/bound.ts';
import { metricsDeps } from '../../shared/adapters/deps/metrics-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { applyDecisionTask } from '../../shared/use-cases/workflow/review-tasks.ts';
import { TaskInput, workflowHandler } from '../../shared/workflow-handler.ts';

/** Review workflow task `ApplyDecision` (infra/constructs/review-workflow.ts). */
export const handler = workflowHandler('apply-decision', TaskInput, compose(tableDeps, metricsDeps), applyDecisionTask);
