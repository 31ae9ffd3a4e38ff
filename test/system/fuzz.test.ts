import { describe, expect, it } from 'vitest';
import { runFuzz } from '../../fuzz/fuzz.ts';
import { HTTP_ROUTES } from '../../infra/stacks/catalog.ts';

/**
 * `npm run fuzz` in short: the same generated requests over every route of the catalogue, a few hundred from a fixed
 * seed (the full run, 10,000, is a script: README "Fuzzing").
 */
describe('fuzz', () => {
  it('answers a few hundred hostile requests without a 5xx, with problem+json errors, in time, and changes nothing it refuses', async () => {
    // Act
    const report = await runFuzz({ seed: 42, requests: 300 });

    // Assess
    expect(report.failures.map((f) => `#${f.index} ${f.rule}: ${f.request.method} ${f.request.target.slice(0, 200)} → ${f.response.status} (${f.detail})`)).toEqual([]);
    expect(report.requests).toBe(300);
    // Every route was aimed at, the unrouted ones too.
    expect([...report.routes.keys()].sort()).toEqual(HTTP_ROUTES.map((r) => r.routeKey).sort());
  });
});
