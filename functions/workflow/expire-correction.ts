import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { workflowDeps } from '../../shared/adapters/deps/workflow-deps.ts';
import { expireCorrectionTask } from '../../shared/use-cases/workflow/review-tasks.ts';
import { TaskInput, workflowHandler } from '../../shared/workflow-handler.ts';

/** Review workflow task `ExpireCorrection` (infra/constructs/review-workflow.ts). */
export const handler = workflowHandler('expire-correction', TaskInput, compose(tableDeps, workflowDeps), expireCorrectionTask);
