import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { recordOverdueTask } from '../../shared/use-cases/workflow/review-tasks.ts';
import { TaskInput, workflowHandler } from '../../shared/workflow-handler.ts';

/** Review workflow task `RecordOverdue` (infra/constructs/review-workflow.ts). */
export const handler = workflowHandler('record-overdue', TaskInput, tableDeps, recordOverdueTask);
