import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '../ports/metrics.ts';
import { afterEachInvocation } from './invocation.ts';
import { METRICS_NAMESPACE, METRICS_SERVICE } from './metric-names.ts';

/**
 * The process's CloudWatch metrics: Powertools' Metrics, written as EMF log lines (CloudWatch extracts the metrics from
 * the function's log group; no API call, no permission). Namespace `icp-cancel`, the one dimension
 * `service` = `icp-cancel`, exactly as the alarms and the dashboard read them (`metric-names.ts`).
 */
export const powertoolsMetrics = new PowertoolsMetrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

/** The `Metrics` port on Powertools: counts are stored until {@link publishMetrics}. */
export const emfMetrics: Metrics = {
  count(name, value = 1) {
    if (value > 0) powertoolsMetrics.addMetric(name, MetricUnit.Count, value);
  },
};

/**
 * Writes what this invocation counted as one EMF line, and forgets it; nothing when it counted nothing (Powertools
 * would warn about an empty flush). The invocation wrapper calls it at the end of every invocation, whatever the
 * outcome, in the processes that import this module.
 */
export function publishMetrics(): void {
  if (powertoolsMetrics.hasStoredMetrics()) powertoolsMetrics.publishStoredMetrics();
}

afterEachInvocation(publishMetrics);
