import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { loadApplicationTask } from '../../shared/use-cases/workflow/review-tasks.ts';
import { TaskInput, workflowHandler } from '../../shared/workflow-handler.ts';

/** Review workflow task `LoadApplication` (infra/constructs/review-workflow.ts). */
export const handler = workflowHandler('load-application', TaskInput, tableDeps, loadApplicationTask);
