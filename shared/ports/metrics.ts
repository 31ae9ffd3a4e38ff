import type { MetricName } from '../observability/metric-names.ts';

/**
 * Counts the service's business events where they happen (applications created, submitted, decided, failed; webhook
 * attempts; batch rows), for the dashboards and alarms. In AWS they are CloudWatch metrics, published once per
 * invocation by the function's wrapper (`shared/observability/metrics.ts`); tests bind a counter in memory.
 */
export interface Metrics {
  /** Adds `value` (default 1; nothing when 0) to the count of `name`. */
  count(name: MetricName, value?: number): void;
}
