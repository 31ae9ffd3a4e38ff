import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { log } from '../../../shared/log.ts';
import { businessKeys, observed } from '../../../shared/observability/invocation.ts';
import { METRIC_NAMES, METRICS_NAMESPACE, METRICS_SERVICE, METRICS_SERVICE_DIMENSION } from '../../../shared/observability/metric-names.ts';
import { tracer } from '../../../shared/observability/tracer.ts';
import { captureOutput } from './capture-output.ts';

const context = (awsRequestId: string): Context =>
  ({
    awsRequestId,
    functionName: 'IcpCancelService-SubmitApplication',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:IcpCancelService-SubmitApplication',
    memoryLimitInMB: '512',
    getRemainingTimeInMillis: () => 30_000,
  }) as Context;

/** Every entry point's wrapper: the Lambda context and business keys in the logs, the invocation's metrics published. */
describe('an observed invocation', () => {
  const level = process.env.LOG_LEVEL;
  beforeEach(() => {
    process.env.LOG_LEVEL = 'INFO';
  });
  afterEach(() => {
    process.env.LOG_LEVEL = level;
    vi.unstubAllEnvs();
  });

  /** The wrapper and the EMF metrics, fresh, with metrics on (the tests' environment turns them off: vitest.config.ts). */
  async function withMetrics() {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.resetModules();
    const [invocation, metrics] = await Promise.all([
      import('../../../shared/observability/invocation.ts'),
      import('../../../shared/observability/metrics.ts'),
    ]);
    return { observed: invocation.observed, emfMetrics: metrics.emfMetrics };
  }

  it('logs with the request id, function and cold start, and the business keys of this invocation only', async () => {
    // Prepare
    const handler = observed(async (event: { tenantId?: string; applicationId?: string }) => {
      businessKeys({ tenantId: event.tenantId, applicationId: event.applicationId, batchId: undefined });
      log.info('working');
    });

    // Act
    const { lines } = await captureOutput(async () => {
      await handler({ tenantId: 'tnt_1', applicationId: 'app_1' }, context('req-1'));
      await handler({ tenantId: 'tnt_2' }, context('req-2'));
    });

    // Assess
    expect(lines).toEqual([
      expect.objectContaining({
        message: 'working',
        function_request_id: 'req-1',
        function_name: 'IcpCancelService-SubmitApplication',
        cold_start: expect.any(Boolean),
        tenantId: 'tnt_1',
        applicationId: 'app_1',
      }),
      expect.objectContaining({ message: 'working', function_request_id: 'req-2', cold_start: false, tenantId: 'tnt_2' }),
    ]);
    expect(lines[1]).not.toHaveProperty('applicationId');
    expect(lines[0]).not.toHaveProperty('batchId');
  });

  it('publishes what the invocation counted as one EMF line in the namespace and dimension the alarms read, even when it throws', async () => {
    // Prepare
    const { observed, emfMetrics } = await withMetrics();
    const handler = observed(async (fail: boolean) => {
      emfMetrics.count(METRIC_NAMES.deliveriesFailed);
      emfMetrics.count(METRIC_NAMES.deliveriesFailed);
      emfMetrics.count(METRIC_NAMES.batchRowsIngested, 0);
      if (fail) throw Object.assign(new Error('endpoint answered 500'), { name: 'DeliveryFailedError' });
    });

    // Act
    const { lines } = await captureOutput(() => handler(true).catch(() => undefined));

    // Assess
    expect(lines).toHaveLength(1);
    const emf = lines[0] as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } } & Record<string, unknown>;
    expect(emf._aws.CloudWatchMetrics).toEqual([
      { Namespace: METRICS_NAMESPACE, Dimensions: [[METRICS_SERVICE_DIMENSION]], Metrics: [{ Name: METRIC_NAMES.deliveriesFailed, Unit: 'Count' }] },
    ]);
    expect(emf[METRICS_SERVICE_DIMENSION]).toBe(METRICS_SERVICE);
    expect(emf[METRIC_NAMES.deliveriesFailed]).toEqual([1, 1]);
  });

  it('writes nothing when the invocation counted nothing', async () => {
    // Prepare
    const { observed } = await withMetrics();

    // Act
    const { text } = await captureOutput(() => observed(async () => 'ok')(undefined));

    // Assess
    expect(text).toBe('');
  });

  it('traces nothing when run from the sources: the Tracer is left out unless the bundle is built with SDK tracing', () => {
    // Assess (ICP_SDK_TRACING is an esbuild define of the bundles, unset here)
    expect(process.env.ICP_SDK_TRACING).toBeUndefined();
    expect(tracer).toBeUndefined();
  });
});
