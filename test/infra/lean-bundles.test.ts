import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allFunctionSpecs, DELIVERY_TASKS, EVENT_DISPATCH, type FunctionSpec } from '../../infra/stacks/catalog.ts';
import { type BundledAssembly, synthesizeBundled } from './bundled-synth.ts';

/**
 * A function's bundle carries only the clients and libraries it calls: every byte is parsed on each cold start. Read
 * from the bundles `cdk deploy` would upload, through their source maps (each names every file that put code in the
 * bundle), against the catalog of what each function may touch. Nothing here is timed: `npm run bench:cold` measures.
 */

interface DeployedBundle {
  entry: string;
  spec: FunctionSpec;
  /** Every file that contributed code, as an absolute path. */
  sources: string[];
  /** The npm packages among them (`@aws-sdk/client-s3`, `zod`, …). */
  packages: Set<string>;
}

/** The package a bundled file belongs to: the name after its last `node_modules/`. */
function packageOf(file: string): string | undefined {
  const at = file.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const [scope, name] = file.slice(at + '/node_modules/'.length).split('/');
  return scope?.startsWith('@') ? `${scope}/${name}` : scope;
}

function deployedBundles(assembly: BundledAssembly): DeployedBundle[] {
  const specs = new Map(allFunctionSpecs().map((spec) => [spec.entry, spec]));
  return Object.values(assembly.templates).flatMap(({ Resources: resources }) =>
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function' && typeof r.Metadata?.['icp:entry'] === 'string')
      .map((r) => {
        const entry = r.Metadata?.['icp:entry'] as string;
        const map = join(assembly.directory, r.Metadata?.['aws:asset:path'] as string, 'index.mjs.map');
        if (!existsSync(map)) throw new Error(`${entry} has no source map: AppFunction emits one beside every bundle`);
        const sources = (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources.map((s) => resolve(dirname(map), s));
        const packages = new Set(sources.flatMap((s) => packageOf(s) ?? []));
        return { entry, spec: specs.get(entry) as FunctionSpec, sources, packages };
      }),
  );
}

/** The packages of an AWS SDK client, and whether the catalog lets the function call that service. */
const SERVICES = {
  S3: {
    packages: ['@aws-sdk/client-s3', '@aws-sdk/s3-request-presigner'],
    allowed: (spec: FunctionSpec) => spec.evidence !== undefined || (spec.batchObjects ?? []).length > 0,
  },
  'Step Functions': {
    packages: ['@aws-sdk/client-sfn'],
    allowed: (spec: FunctionSpec) => spec.review !== undefined || spec.delivery !== undefined || spec.batchIngestion !== undefined,
  },
};

/** The functions whose use cases count business events (shared/observability/metric-names.ts). */
const COUNTING_FUNCTIONS = [
  'http/create-application',
  'http/submit-application',
  'http/resubmit-application',
  'http/release-batch',
  's3/check-evidence',
  'batches/ingest-chunk',
  'workflow/apply-decision',
  'workflow/mark-failed',
  'webhooks/deliver-webhook',
  // It makes every delivery's first attempt (counted as the delivery task counts its attempts).
  'events/dispatch-events',
];

/** The functions that send HTTP requests to customers' endpoints: the dispatcher (first attempts), the retry task. */
const WEBHOOK_SENDERS = [EVENT_DISPATCH.entry, DELIVERY_TASKS.deliverWebhook.entry].sort();
const isWebhookSender = (source: string) => source.endsWith('/shared/webhooks/http-sender.ts');

describe('lean bundles', () => {
  let bundles: DeployedBundle[];
  const of = (entry: string) => bundles.find((b) => b.entry === entry) as DeployedBundle;

  beforeAll(async () => {
    // Prepare (once for the file: bundling every function takes half a minute when the cache is cold)
    bundles = deployedBundles(await synthesizeBundled());
  }, 180_000);

  it('are read from every function of the catalog, whose source maps name the packages they carry', () => {
    // Assess: the method sees a package where the code needs it, so an absence below means something
    expect(bundles.map((b) => b.entry).sort()).toEqual(allFunctionSpecs().map((s) => s.entry).sort());
    expect(of(DELIVERY_TASKS.deliverWebhook.entry).sources.some(isWebhookSender)).toBe(true);
    expect([...of('functions/http/create-batch.ts').packages]).toEqual(
      expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/client-s3', '@aws-sdk/s3-request-presigner', '@aws-sdk/client-sfn', 'zod']),
    );
  });

  it('carry the webhook sender (Node\'s HTTP client with the SSRF guard) only in the functions that send webhooks', () => {
    // Act
    const carrying = bundles.filter((b) => b.sources.some(isWebhookSender)).map((b) => b.entry);

    // Assess
    expect(carrying.sort()).toEqual(WEBHOOK_SENDERS);
  });

  it('carry the S3 client and presigner, or the Step Functions client, only where the catalog grants that service', () => {
    // Act
    const excess = bundles.flatMap((b) =>
      Object.entries(SERVICES).flatMap(([service, { packages, allowed }]) =>
        allowed(b.spec) ? [] : packages.filter((p) => b.packages.has(p)).map((p) => `${b.entry} carries ${p} but may not call ${service}`),
      ),
    );

    // Assess: read-only routes such as GET /v1/applications/{id} carry neither
    expect(excess).toEqual([]);
  });

  it("carry Powertools' Logger, its Metrics only where a use case counts, and, unless built with SDK tracing, no Tracer", () => {
    // Act: every function logs through its wrapper (shared/observability/invocation.ts); only those whose use cases
    // count compose metricsDeps(); the Tracer costs a cold start about 15 ms and comes only with `-c sdkTracing=true`
    const withoutLogger = bundles.filter((b) => !b.packages.has('@aws-lambda-powertools/logger')).map((b) => b.entry);
    const withMetrics = bundles.filter((b) => b.packages.has('@aws-lambda-powertools/metrics')).map((b) => b.entry);
    const tracing = bundles.flatMap((b) =>
      ['@aws-lambda-powertools/tracer', 'aws-xray-sdk-core', 'cls-hooked'].filter((p) => b.packages.has(p)).map((p) => `${b.entry} carries ${p}`),
    );

    // Assess
    expect(withoutLogger).toEqual([]);
    expect(withMetrics.sort()).toEqual(COUNTING_FUNCTIONS.map((f) => `functions/${f}.ts`).sort());
    expect(tracing).toEqual([]);
  });

  it("carry the API's contract (the answers' schemas, the document's generator) in none, the document only where it is served, and no DynamoDB client without the table", () => {
    // Act: the document is a file bundled into its one function; what makes it runs in `npm run openapi` and the tests
    const contract = bundles.flatMap((b) =>
      b.sources.filter((s) => s.includes('/shared/api/') || s.includes('/infra/openapi/')).map((s) => `${b.entry} carries ${s}`),
    );
    const withDocument = bundles.filter((b) => b.sources.some((s) => s.endsWith('/openapi.json'))).map((b) => b.entry);
    const tableless = bundles.filter((b) => b.spec.table === 'none');
    const dynamo = tableless.filter((b) => b.packages.has('@aws-sdk/client-dynamodb')).map((b) => b.entry);

    // Assess
    expect(contract).toEqual([]);
    expect(withDocument).toEqual(['functions/http/get-openapi-document.ts']);
    expect(tableless.length).toBeGreaterThan(0);
    expect(dynamo).toEqual([]);
  });

  it("carry zod/mini, not classic zod, and none of zod's locales but English", () => {
    // Act: classic zod costs a cold start twice what zod/mini does (shared/zod.ts), and each locale is dead weight
    const carrying = bundles.flatMap((b) => {
      const classic = b.sources.filter((s) => s.includes('/zod/v4/classic/'));
      const locales = b.sources.filter((s) => /\/zod\/v4\/locales\/(?!en\.js$)/.test(s));
      return [
        ...(classic.length > 0 ? [`${b.entry}: ${classic.length} files of classic zod`] : []),
        ...(locales.length > 0 ? [`${b.entry}: ${locales.length} locale files`] : []),
      ];
    });

    // Assess
    expect(carrying).toEqual([]);
  });
});
