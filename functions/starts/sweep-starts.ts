import { startDeps } from '../../shared/adapters/deps/start-deps.ts';
import { observed } from '../../shared/observability/invocation.ts';
import { sweepStarts } from '../../shared/use-cases/sweep-starts.ts';

/**
 * Every minute (an EventBridge schedule; the event says nothing but the time): start requests left behind are started
 * at the system's pace. A start that fails for another reason than throttling fails the invocation (its request stays,
 * for the next sweep), which the functions' error alarm reports.
 */
export const handler = observed(async () => {
  return sweepStarts(startDeps());
});
