import * as z from '../../shared/zod.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { metricsDeps } from '../../shared/adapters/deps/metrics-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { markFailedTask } from '../../shared/use-cases/workflow/review-tasks.ts';
import { TaskInput, workflowHandler } from '../../shared/workflow-handler.ts';

const Input = z.extend(TaskInput, { error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })) });

/** Review workflow task `MarkFailed`: reached through Catch when a task still fails after its retries. */
export const handler = workflowHandler('mark-failed', Input, compose(tableDeps, metricsDeps), markFailedTask);
