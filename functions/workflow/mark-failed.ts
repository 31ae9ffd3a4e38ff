import * as z from 'zod';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { markFailedTask } from '../../shared/use-cases/workflow/review-tasks.ts';
import { TaskInput, workflowHandler } from '../../shared/workflow-handler.ts';

const Input = TaskInput.extend({ error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional() });

/** Review workflow task `MarkFailed`: reached through Catch when a task still fails after its retries. */
export const handler = workflowHandler('mark-failed', Input, tableDeps, markFailedTask);
