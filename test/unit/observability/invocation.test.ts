import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { log } from '../../../shared/log.ts';
import { businessKeys, observed } from '../../../shared/observability/invocation.ts';
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

/** Every entry point's wrapper: the Lambda context and business keys in the logs. */
describe('an observed invocation', () => {
  const level = process.env.LOG_LEVEL;
  beforeEach(() => {
    process.env.LOG_LEVEL = 'INFO';
  });
  afterEach(() => {
    process.env.LOG_LEVEL = level;
  });

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

});
