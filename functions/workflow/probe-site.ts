import { compose } from '../../shared/adapters/deps/bound.ts';
import { probeDeps } from '../../shared/adapters/deps/probe-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { probeSiteTask } from '../../shared/use-cases/workflow/review-tasks.ts';
import { TaskInput, workflowHandler } from '../../shared/workflow-handler.ts';

/** Review workflow task `ProbeSite` (infra/constructs/review-workflow.ts). */
export const handler = workflowHandler('probe-site', TaskInput, compose(tableDeps, probeDeps), probeSiteTask);
