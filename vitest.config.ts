import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Days the date-sensitive tests run at once more, each through the local runtime's clock (`LOCAL_CLOCK_START`, which
 * the runtime and the tests' own `testClock` read): the last day of a year whose successor the holiday calendar does not
 * cover, a day in such a year, and one years ahead. A test that needs a particular day pins it instead.
 */
const CLOCK_DAYS = ['2026-12-31', '2027-06-01', '2030-01-01'];
/**
 * The days the date-sensitive whole-system tests run at once more: the year's last day and the one years ahead. A day
 * inside an uncovered year (2027-06-01) is what 2030-01-01 is too, and each day costs the four files' runtimes, about
 * a minute of CI's ten: the unit tests still run at all three.
 */
const SYSTEM_CLOCK_DAYS = ['2026-12-31', '2030-01-01'];

/** The tests whose outcome would change with the day they run, were they not reading the clock: they run at each day. */
const DATE_SENSITIVE_UNIT = ['test/unit/local/local-clock.test.ts', 'test/unit/use-cases/review-tasks.test.ts'];
const DATE_SENSITIVE_SYSTEM = [
  'test/system/lifecycle.test.ts',
  'test/system/icp-rules.test.ts',
  'test/system/batches.test.ts',
  'test/system/webhooks.test.ts',
];

const system = { testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false };

// Three kinds of tests, one command (`npm test`):
// - unit: domain, use cases (in-memory ports) and adapters (aws-sdk-client-mock); fast, parallel.
// - infra: synthesizes the CDK app (bundling off, but for the tests of the bundles themselves); shares one aws-cdk-lib load per worker.
// - system: the whole local runtime (DynamoDB Local, s3rver, the synthesized state machines); run one file at a time.
// Then the date-sensitive ones again at each of CLOCK_DAYS (the whole-system ones at SYSTEM_CLOCK_DAYS), one day after
// the other (groupOrder), so that no two local runtimes share the machine's two cores.
export default defineConfig({
  test: {
    // Two test files at a time at least (vitest's default is a core less than the machine has: one on CI's two cores).
    // Most files wait on DynamoDB Local, a runtime or a timer, so a unit or infra file runs beside the one whole-system
    // file at a time: a clean clone's npm test went from 13 min 46 s to 9 min 17 s here, under the same other load.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Quiet unless asked: log lines at ERROR, and no EMF metric lines from the functions run in the tests' process.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'ERROR',
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 60_000 } },
      { extends: true, test: { name: 'system', include: ['test/system/**/*.test.ts'], ...system } },
      ...CLOCK_DAYS.map((day, i) => ({
        extends: true as const,
        test: {
          name: `at ${day}`,
          include: SYSTEM_CLOCK_DAYS.includes(day) ? [...DATE_SENSITIVE_UNIT, ...DATE_SENSITIVE_SYSTEM] : DATE_SENSITIVE_UNIT,
          env: { LOCAL_CLOCK_START: day },
          sequence: { groupOrder: i + 1 },
          ...system,
        },
      })),
    ],
  },
});
