import { expireCorrectionTask } from '../../shared/use-cases/workflow/review-tasks.ts';
import { TaskInput, workflowHandler } from '../../shared/workflow-handler.ts';

/** Review workflow task `ExpireCorrection` (infra/constructs/review-workflow.ts). */
export const handler = workflowHandler('expire-correction', TaskInput, expireCorrectionTask);
