import { authorityDeps } from '../../shared/adapters/deps/authority-deps.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { workflowDeps } from '../../shared/adapters/deps/workflow-deps.ts';
import { submitToAuthorityTask } from '../../shared/use-cases/workflow/review-tasks.ts';
import { TokenTaskInput, workflowHandler } from '../../shared/workflow-handler.ts';

/** Review workflow task `SubmitToAuthority` (infra/constructs/review-workflow.ts). */
export const handler = workflowHandler('submit-to-authority', TokenTaskInput, compose(tableDeps, authorityDeps, workflowDeps), submitToAuthorityTask);
