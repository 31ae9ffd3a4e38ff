import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { injectedError } from '../../shared/adapters/faults/sdk-faults.ts';
import { SDK_FAULTS, SDK_SERVICES } from '../../shared/adapters/faults/fault-plan.ts';
import { ConflictError, TransientError, WORKFLOW_ERROR_NAMES } from '../../shared/domain/errors.ts';
import { TaskInput, workflowHandler } from '../../shared/workflow-handler.ts';

/** A task that fails with `error`, as a use case whose AWS call failed would. */
const failingWith = (error: unknown) => workflowHandler('test-task', TaskInput, () => ({}), async () => Promise.reject(error));
const input = { applicationId: 'app_1', tenantId: 'tnt_1' };

describe('a workflow task handler', () => {
  it('throws what the SDK would retry, still failing after its retries, as the TransientError the workflows retry', async () => {
    // Prepare: the SDK's own exception, and every fault the local fault plan raises (their real shapes)
    const throttled = new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400, attempts: 3 } });
    const faults = SDK_SERVICES.flatMap((service) => SDK_FAULTS.map((fault) => injectedError(service, fault, () => 0)));

    // Act
    const thrown = await Promise.all([throttled, ...faults].map((error) => failingWith(error)(input).catch((e: unknown) => e)));

    // Assess: retried by name, the SDK's error kept as the cause
    for (const [i, error] of thrown.entries()) {
      expect(error, String((i === 0 ? throttled : faults[i - 1])?.name)).toBeInstanceOf(TransientError);
      expect((error as Error).name).toBe(WORKFLOW_ERROR_NAMES.transient);
    }
    expect((thrown[0] as Error).cause).toBe(throttled);
  });

  it('leaves the SDK errors no retry would mend, and its own errors, as they are', async () => {
    // Prepare
    const condition = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });
    const conflict = new ConflictError('changed meanwhile');
    const bug = new TypeError('x is undefined');

    // Act
    const thrown = await Promise.all([condition, conflict, bug].map((error) => failingWith(error)(input).catch((e: unknown) => e)));

    // Assess
    expect(thrown).toEqual([condition, conflict, bug]);
    expect(thrown[0]).toBe(condition);
  });
});
