import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { applyDecisionTask } from '../../shared/use-cases/workflow/review-tasks.ts';
import { TaskInput, workflowHandler } from '../../shared/workflow-handler.ts';

/** Review workflow task `ApplyDecision` (infra/constructs/review-workflow.ts). */
export const handler = workflowHandler('apply-decision', TaskInput, tableDeps, applyDecisionTask);
