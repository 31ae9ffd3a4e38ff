import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { workflowDeps } from '../../shared/adapters/deps/workflow-deps.ts';
import { awaitCorrectionTask } from '../../shared/use-cases/workflow/review-tasks.ts';
import { TokenTaskInput, workflowHandler } from '../../shared/workflow-handler.ts';

/** Review workflow task `AwaitCorrection` (infra/constructs/review-workflow.ts). */
export const handler = workflowHandler('await-correction', TokenTaskInput, compose(tableDeps, workflowDeps), awaitCorrectionTask);
