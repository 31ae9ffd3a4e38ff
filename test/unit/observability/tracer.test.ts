import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * The bundles built with SDK tracing (`ICP_SDK_TRACING`, an esbuild define there) carry the Tracer; every SDK client
 * the dependency factories build then goes through it. Here the variable is set before a fresh import of the modules,
 * as the define would have it.
 */
describe('SDK tracing', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  /** The factories' clients, built fresh under the environment of the moment. */
  async function factoryClients() {
    vi.resetModules();
    const [{ documentClient }, { s3Client }, { sfnClient, pacedSfnClient }] = await Promise.all([
      import('../../../shared/adapters/deps/documents.ts'),
      import('../../../shared/adapters/deps/s3-client.ts'),
      import('../../../shared/adapters/deps/sfn-client.ts'),
    ]);
    const { tracer } = await import('../../../shared/observability/tracer.ts');
    const stacks = [documentClient(), s3Client(), sfnClient(), pacedSfnClient()].map((client) => client.middlewareStack.identify().join('\n'));
    return { tracer, stacks };
  }

  it('captures every client of the dependency factories in Lambda (the DynamoDB, S3 and Step Functions clients, the paced starts\' too)', async () => {
    // Prepare: a bundle built with SDK tracing, in Lambda
    vi.stubEnv('ICP_SDK_TRACING', 'true');
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    vi.stubEnv('TABLE_NAME', 'icp-cancel');

    // Act
    const { tracer, stacks } = await factoryClients();

    // Assess
    expect(tracer?.isTracingEnabled()).toBe(true);
    for (const stack of stacks) expect(stack).toContain('XRaySDKInstrumentation');
  });

  it('traces nothing outside Lambda, where the local runtime runs the same bundle, and nothing without the define', async () => {
    // Prepare: the local runtime gives a bundled function the Lambda variables but AWS_EXECUTION_ENV
    vi.stubEnv('ICP_SDK_TRACING', 'true');
    vi.stubEnv('AWS_EXECUTION_ENV', undefined);
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'SubmitApplication');
    vi.stubEnv('TABLE_NAME', 'icp-cancel');

    // Act
    const local = await factoryClients();
    vi.stubEnv('ICP_SDK_TRACING', undefined);
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    const withoutDefine = await factoryClients();

    // Assess
    expect(local.tracer?.isTracingEnabled()).toBe(false);
    for (const stack of local.stacks) expect(stack).not.toContain('XRaySDKInstrumentation');
    expect(withoutDefine.tracer).toBeUndefined();
    for (const stack of withoutDefine.stacks) expect(stack).not.toContain('XRaySDKInstrumentation');
  });
});
