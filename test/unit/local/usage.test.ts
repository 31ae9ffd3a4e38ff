import { describe, expect, it } from 'vitest';
import { s3Operation, type UsageSnapshot, usageBetween } from '../../../infra/local/usage.ts';

const units = (requests: number, writeUnits: number) => ({
  requests,
  readUnits: 0,
  writeUnits,
  indexUnits: { gsi1: writeUnits / 2 },
  refusedWrites: 0,
  cancelledTransactions: 0,
  cancelledTransactionItems: 0,
});

const empty: UsageSnapshot = { functions: {}, executions: {}, transitions: {}, dynamodb: {}, itemSizes: {}, s3: {}, api: {} };

describe('usageBetween', () => {
  it('keeps what happened between two snapshots only, and leaves out what did not move', () => {
    // Prepare
    const before: UsageSnapshot = {
      ...empty,
      functions: { A: { invocations: 2, durationsMs: [10, 20] }, B: { invocations: 1, durationsMs: [5] } },
      executions: { review: 1 },
      transitions: { review: { Load: 1, Route: 1 } },
      dynamodb: { A: { PutItem: units(1, 4) } },
      s3: { A: { PUT: 1 } },
      api: { 'POST /v1/applications': 1 },
    };
    const after: UsageSnapshot = {
      ...empty,
      functions: { A: { invocations: 4, durationsMs: [10, 20, 30] }, B: { invocations: 1, durationsMs: [5] } },
      executions: { review: 1, delivery: 2 },
      transitions: { review: { Load: 2, Route: 1 }, delivery: { Deliver: 2 } },
      dynamodb: { A: { PutItem: units(3, 12) }, C: { GetItem: units(1, 0) } },
      s3: { A: { PUT: 1, GET: 2 } },
      api: { 'POST /v1/applications': 2 },
    };

    // Act
    const between = usageBetween(before, after);

    // Assess: A's fourth invocation is still running (no duration yet)
    expect(between.functions).toEqual({ A: { invocations: 2, durationsMs: [30] } });
    expect(between.executions).toEqual({ delivery: 2 });
    expect(between.transitions).toEqual({ review: { Load: 1 }, delivery: { Deliver: 2 } });
    expect(between.dynamodb).toEqual({ A: { PutItem: units(2, 8) }, C: { GetItem: units(1, 0) } });
    expect(between.s3).toEqual({ A: { GET: 2 } });
    expect(between.api).toEqual({ 'POST /v1/applications': 1 });
  });
});

describe('s3Operation', () => {
  it('names path-style requests as S3 prices them', () => {
    // Act
    const of = (method: string, url: string, headers: Record<string, string> = {}) => s3Operation({ method, url, headers });

    // Assess
    expect(of('PUT', '/bucket/evidence/a.pdf?X-Amz-Signature=x')).toBe('PUT');
    expect(of('PUT', '/bucket/b', { 'x-amz-copy-source': '/bucket/a' })).toBe('COPY');
    expect(of('GET', '/bucket?list-type=2&prefix=a')).toBe('LIST');
    expect(of('GET', '/bucket/evidence/a.pdf')).toBe('GET');
    expect(of('HEAD', '/bucket/evidence/a.pdf')).toBe('HEAD');
    expect(of('POST', '/bucket/big?uploads')).toBe('POST');
    expect(of('DELETE', '/bucket/a')).toBe('DELETE');
  });
});
