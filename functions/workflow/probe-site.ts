import { probeSiteTask } from '../../shared/use-cases/workflow/review-tasks.ts';
import { TaskInput, workflowHandler } from '../../shared/workflow-handler.ts';

/** Review workflow task `ProbeSite` (infra/constructs/review-workflow.ts). */
export const handler = workflowHandler('probe-site', TaskInput, probeSiteTask);
