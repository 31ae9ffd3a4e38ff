import { awaitCorrectionTask } from '../../shared/use-cases/workflow/review-tasks.ts';
import { TokenTaskInput, workflowHandler } from '../../shared/workflow-handler.ts';

/** Review workflow task `AwaitCorrection` (infra/constructs/review-workflow.ts). */
export const handler = workflowHandler('await-correction', TokenTaskInput, awaitCorrectionTask);
