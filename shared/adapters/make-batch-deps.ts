import type { BatchDeps } from '../ports/batch-services.ts';
import { batchDeps } from './deps/batch-deps.ts';
import { batchFileDeps } from './deps/batch-file-deps.ts';
import { batchWorkflowDeps } from './deps/batch-workflow-deps.ts';
import { compose } from './deps/bound.ts';

/**
 * Every bulk ingestion port at once, next to `makeDeps()` and for the same processes (the local runtime, tests); a
 * function composes the batch factories it needs instead. `resetDeps()` rebinds these too.
 */
export const makeBatchDeps: () => BatchDeps = compose(batchDeps, batchFileDeps, batchWorkflowDeps);
