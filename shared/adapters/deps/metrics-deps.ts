import { emfMetrics } from '../../observability/metrics.ts';
import type { Deps } from '../../ports/deps.ts';
import { bound } from './bound.ts';

/**
 * The business metrics (CloudWatch EMF through Powertools), for the functions whose use cases count something:
 * importing them is what makes the invocation wrapper publish after each invocation (`observability/metrics.ts`), and
 * a function that counts nothing (a read) does not carry Powertools' Metrics.
 */
export const metricsDeps: () => Pick<Deps, 'metrics'> = bound(() => ({ metrics: emfMetrics }));
