import { submitToAuthorityTask } from '../../shared/use-cases/workflow/review-tasks.ts';
import { TokenTaskInput, workflowHandler } from '../../shared/workflow-handler.ts';

/** Review workflow task `SubmitToAuthority` (infra/constructs/review-workflow.ts). */
export const handler = workflowHandler('submit-to-authority', TokenTaskInput, submitToAuthorityTask);
