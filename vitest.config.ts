import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { runOrder } from './test/support/run-order.ts';

/**
 * Days the date-sensitive tests run at once more, each through the local runtime's clock (`LOCAL_CLOCK_START`, which
 * the runtime and the tests' own `testClock` read): the last day of a year whose successor the holiday calendar does not
 * cover, a day in such a year, and one years ahead. A test that needs a particular day pins it instead.
 */
const CLOCK_DAYS = ['2026-12-31', '2027-06-01', '2030-01-01'];
/**
 * The day the date-sensitive whole-system tests run at once more: the year's last day, whose deadlines run into a year
 * the holiday calendar does not cover. Each day costs the four files' runtimes, about half a minute of CI's ten on a
 * clean clone: the unit tests run at all three days, and `test/system/review-deadlines.test.ts` pins a day the
 * calendar covers and one it does not.
 */
const SYSTEM_CLOCK_DAYS = ['2026-12-31'];

/** The tests whose outcome would change with the day they run, were they not reading the clock: they run at each day. */
const DATE_SENSITIVE_UNIT = ['test/unit/local/local-clock.test.ts', 'test/unit/use-cases/review-tasks.test.ts'];
const DATE_SENSITIVE_SYSTEM = [
  'test/system/lifecycle.test.ts',
  'test/system/icp-rules.test.ts',
  'test/system/batches.test.ts',
  'test/system/webhooks.test.ts',
];

/**
 * Unit files that import modules afresh under another environment (`vi.resetModules`, `vi.stubEnv`): they run
 * isolated, as a worker's shared modules would not be evaluated again for them.
 */
const FRESH_MODULES_UNIT = ['test/unit/observability/tracer.test.ts', 'test/unit/observability/invocation.test.ts'];

/**
 * The files that read the app synthesized with bundling on (`synthesizeBundled`): they run after the other whole-system
 * files, by when `test/support/bundle-ahead.ts` has built it beside them (`runOrder`).
 */
const READS_BUNDLES = [
  'test/infra/error-names.test.ts',
  'test/infra/lean-bundles.test.ts',
  'test/system/bundled.test.ts',
  'test/system/iam-enforcement.test.ts',
];
/** The projects with files in READS_BUNDLES start the bundled synthesis before their first file runs. */
const BUNDLE_AHEAD = ['test/support/bundle-ahead.ts'];

const system = { testTimeout: 120_000, hookTimeout: 120_000 };

// Three kinds of tests, one command (`npm test`):
// - unit: domain, use cases (in-memory ports) and adapters (aws-sdk-client-mock); fast, parallel.
// - infra: synthesizes the CDK app (bundling off, but for the tests of the bundles themselves).
// - system: the whole local runtime (DynamoDB Local, s3rver, the synthesized state machines), each file its own.
// Then the date-sensitive ones again at each of CLOCK_DAYS (the whole-system ones at SYSTEM_CLOCK_DAYS).
//
// What a clean clone's npm test costs is CPU, not waiting, so everything runs in one queue, two files at a time on two
// cores, in the order of `runOrder`: the whole-system files first (the `at <day>` ones, then the others), then those
// that read the bundles (built meanwhile by `bundle-ahead.ts`), then infra and unit, whose short files fill the end. A
// system file beside another, or beside unit files, uses the third of the cores that one system file at a time left
// idle. The files of a project share their worker's loaded modules (`isolate: false`: each file used to load the AWS
// SDK, zod and the runtime again, more than half the unit files' time), and DynamoDB Local's short-lived JVMs compile
// with C1 only. Vitest on the development machine (2 cores): 868 s before (fresh caches), 437 s after with warm caches
// and 567 s on a clean clone, which also builds the templates, the bundles and the console; 438 s on a fresh machine
// with the bundles built ahead (README "Tests").
export default defineConfig({
  test: {
    // Two test files at a time at least (vitest's default is a core less than the machine has: one on CI's two cores).
    // Two runtimes at once pass as one at a time does: the system tests wait for outcomes rather than for fixed times.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // A test file must leave nothing behind that another could see (it stops what it starts, and puts back the
    // environment variables it changes): the files of a worker share one process.
    isolate: false,
    sequence: { sequencer: runOrder(READS_BUNDLES) },
    // Quiet unless asked: log lines at ERROR, and no EMF metric lines from the functions run in the tests' process.
    // DynamoDB Local's JVMs live for seconds in tests: C1 only and the serial collector spend a third less CPU.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      DYNAMODB_LOCAL_JAVA_OPTS: process.env.DYNAMODB_LOCAL_JAVA_OPTS ?? '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'ERROR',
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: FRESH_MODULES_UNIT } },
      { extends: true, test: { name: 'unit (isolated)', include: FRESH_MODULES_UNIT, isolate: true } },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 60_000, globalSetup: BUNDLE_AHEAD } },
      { extends: true, test: { name: 'system', include: ['test/system/**/*.test.ts'], globalSetup: BUNDLE_AHEAD, ...system } },
      ...CLOCK_DAYS.map((day) => ({
        extends: true as const,
        test: {
          name: `at ${day}`,
          include: SYSTEM_CLOCK_DAYS.includes(day) ? [...DATE_SENSITIVE_UNIT, ...DATE_SENSITIVE_SYSTEM] : DATE_SENSITIVE_UNIT,
          env: { LOCAL_CLOCK_START: day },
          ...system,
        },
      })),
    ],
  },
});
