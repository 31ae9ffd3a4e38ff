import { defineConfig } from 'vitest/config';

// Three kinds of tests, one command (`npm test`):
// - unit: domain, use cases (in-memory ports) and adapters (aws-sdk-client-mock); fast, parallel.
// - infra: synthesizes the CDK app with bundling off; shares one aws-cdk-lib load per worker.
// - system: the whole local runtime (DynamoDB Local, s3rver, the synthesized state machines); run one file at a time.
export default defineConfig({
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', LOG_LEVEL: process.env.LOG_LEVEL ?? 'ERROR' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 60_000 } },
      {
        extends: true,
        test: {
          name: 'system',
          include: ['test/system/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
