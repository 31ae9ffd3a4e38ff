import { describe, expect, it } from 'vitest';
import type { PathRun } from '../../../../bench/cost/drive.ts';
import { type Component, type PathCost, pricePath } from '../../../../bench/cost/model.ts';
import type { CostPath } from '../../../../bench/cost/paths.ts';
import { loadPrices } from '../../../../bench/cost/prices.ts';
import { headline, modelMatchesEngine, renderPath } from '../../../../bench/cost/report.ts';
import type { TemplateFacts } from '../../../../bench/cost/template-facts.ts';

const prices = loadPrices();
const task = (next?: string) => ({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', ...(next ? { Next: next } : { End: true }) });

/** Two small Standard machines and two functions: A a task at 512 MB on arm64, B an API function at 1 GB on x86_64. */
const facts: TemplateFacts = {
  machines: {
    review: { name: 'review', type: 'STANDARD', definition: { StartAt: 'Work', States: { Work: task('Done'), Done: { Type: 'Succeed' } } } },
    delivery: {
      name: 'delivery',
      type: 'STANDARD',
      definition: {
        StartAt: 'Deliver',
        States: {
          Deliver: task('HonourRetryAfter'),
          HonourRetryAfter: { Type: 'Choice', Choices: [{ Variable: '$.result.outcome', StringEquals: 'retry_after', Next: 'Deliver' }], Default: 'Delivered' },
          Delivered: { Type: 'Succeed' },
        },
      },
    },
    batches: { name: 'batches', type: 'STANDARD', definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } },
  },
  functions: new Map([
    ['AAAAAAAA12345678', { name: 'AAAAAAAA', memoryMb: 512, architecture: 'arm64' as const }],
    ['B', { name: 'B', memoryMb: 1024, architecture: 'x86_64' as const }],
  ]),
  taskFunctions: new Set(['AAAAAAAA12345678']),
};

const path: CostPath = {
  id: 'p',
  title: 'a path of two cancellations',
  per: 'cancellation',
  units: 2,
  executions: [{ machine: 'review', count: 1, path: {} }],
  events: ['application.created'],
};

const ops = (fields: Partial<PathRun['usage']['dynamodb'][string][string]>) => ({
  requests: 1,
  readUnits: 0,
  writeUnits: 0,
  indexUnits: {},
  refusedWrites: 0,
  cancelledTransactions: 0,
  cancelledTransactionItems: 0,
  ...fields,
});

const run: PathRun = {
  path,
  usage: {
    functions: { AAAAAAAA12345678: { invocations: 2, durationsMs: [10.2, 20] }, B: { invocations: 1, durationsMs: [99.1] } },
    // The event's first delivery attempt is the dispatcher's: no delivery execution.
    executions: { review: 1 },
    transitions: { review: { Work: 1, Done: 1 } },
    dynamodb: {
      AAAAAAAA12345678: {
        PutItem: ops({ writeUnits: 4, refusedWrites: 1 }),
        TransactWriteItems: ops({ cancelledTransactions: 1, cancelledTransactionItems: 2 }),
      },
      B: { GetItem: ops({ readUnits: 0.5 }) },
    },
    itemSizes: {},
    s3: { x: { PUT: 1, LIST: 1, GET: 2, HEAD: 1, DELETE: 1 } },
    api: { 'POST /v1/applications': 3 },
  },
  events: ['application.created'],
  bytesOut: { api: 1000, webhooks: 500, downloads: 500 },
  logs: { lines: 2, bytes: 100 },
};

const byComponent = (priced: PathCost, component: Component) =>
  priced.lines.filter((l) => l.component === component).reduce((sum, l) => sum + l.usd, 0);

describe('pricePath', () => {
  it('prices the walked transitions and the measured usage of one run with the price list', () => {
    // Act
    const priced = pricePath(run, facts, prices);

    // Assess
    expect(byComponent(priced, 'Step Functions')).toBeCloseTo((2 * 0.025) / 1000, 12);
    // Durations rounded up to the millisecond each: 11 + 20 ms at 0.5 GB, 100 ms at 1 GB.
    expect(byComponent(priced, 'Lambda')).toBeCloseTo((3 * 0.2) / 1e6 + 0.031 * 0.5 * 0.0000133334 + 0.1 * 1 * 0.0000166667, 12);
    // 4 units, 1 for the refused write, 2 × 2 for the cancelled transaction's items; half a read unit.
    expect(byComponent(priced, 'DynamoDB')).toBeCloseTo((9 * 0.625) / 1e6 + (0.5 * 0.125) / 1e6, 12);
    expect(byComponent(priced, 'HTTP API')).toBeCloseTo(3 / 1e6, 12);
    expect(byComponent(priced, 'S3')).toBeCloseTo((2 * 0.005) / 1000 + (3 * 0.0004) / 1000, 12);
    expect(byComponent(priced, 'CloudWatch Logs')).toBeCloseTo(((3 * (330 + 3 * 26) + 100 + 2 * 26) / 1e9) * 0.5, 12);
    // Traces start at the execution and at B's invocation (A's join their execution's), 5 % sampled.
    expect(byComponent(priced, 'X-Ray')).toBeCloseTo((2 * 0.05 * 5) / 1e6, 12);
    expect(byComponent(priced, 'Data transfer out')).toBeCloseTo((2000 / 1e9) * 0.09, 12);
    const total = priced.lines.reduce((sum, l) => sum + l.usd, 0);
    expect(priced.perThousand).toBeCloseTo((total * 1000) / 2, 12);
    expect(priced.transitions.model.review?.transitions).toBe(2);
    expect(priced.transitions.model.delivery).toBeUndefined();
    expect(modelMatchesEngine(priced)).toBe(true);
    expect(renderPath(priced)).toContain('AAAAAAAA  ');
  });

  it('tells when the engine executed other transitions than the model predicts: a delivery execution where the path has none', () => {
    // Prepare
    const retried = { ...run, usage: { ...run.usage, transitions: { ...run.usage.transitions, delivery: { Deliver: 1, HonourRetryAfter: 1, Delivered: 1 } } } };

    // Act
    const priced = pricePath(retried, facts, prices);

    // Assess
    expect(modelMatchesEngine(priced)).toBe(false);
  });
});

describe('headline', () => {
  it('is the one line npm run cost ends with, in dollars and cents', () => {
    // Prepare
    const priced = (perThousand: number) => ({ ...pricePath(run, facts, prices), perThousand });

    // Act
    const line = headline(priced(0.6411), priced(1.1856));

    // Assess
    expect(line).toBe('cost per 1,000 cancellations: happy $0.64, rejected-once $1.19');
  });
});
