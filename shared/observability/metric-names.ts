/**
 * The service's own CloudWatch metrics: one definition for the functions that publish them (Powertools Metrics, as
 * EMF log lines) and for the CDK app that alarms on and graphs them (`infra/constructs/operations-*.ts`).
 *
 * CloudWatch finds a metric by its namespace, its name and its exact set of dimensions: a metric published under
 * another name, or with one dimension more or less, is another metric, and an alarm on this one would silently see
 * no data. So every function publishes with `new Metrics({ namespace: METRICS_NAMESPACE, serviceName:
 * METRICS_SERVICE })`, whatever service name its logger uses, and adds no default dimensions of its own; Powertools
 * then writes the one dimension `service` = `METRICS_SERVICE`. Values are counts (`MetricUnit.Count`).
 */
export const METRICS_NAMESPACE = 'icp-cancel';

/** The value of the `service` dimension of every metric below (Powertools' `serviceName`). */
export const METRICS_SERVICE = 'icp-cancel';

/** The name of the dimension Powertools writes for `serviceName`. */
export const METRICS_SERVICE_DIMENSION = 'service';

export const METRIC_NAMES = {
  /** An application was created (one per application, single or from a batch row). */
  applicationsCreated: 'ApplicationsCreated',
  /** An application was submitted for review (each resubmission counts again). */
  applicationsSubmitted: 'ApplicationsSubmitted',
  /** The authority's decision was applied (approved or rejected). */
  applicationsDecided: 'ApplicationsDecided',
  /** An application ended `failed` (a task that still failed after its retries). */
  applicationsFailed: 'ApplicationsFailed',
  /**
   * A webhook delivery attempt that the endpoint accepted (2xx): the first attempt, made without a workflow, and each
   * retry of the delivery workflow alike.
   */
  deliveriesSucceeded: 'DeliveriesSucceeded',
  /**
   * A webhook delivery attempt that did not succeed (an error status, a timeout, a refused address), first attempt or
   * retry, whether or not another attempt follows. With `deliveriesSucceeded`, the webhook failure rate alarm's input.
   */
  deliveriesFailed: 'DeliveriesFailed',
  /** Rows of a bulk batch ingested (valid and refused rows alike; the count is the chunk's rows). */
  batchRowsIngested: 'BatchRowsIngested',
} as const;

export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];
