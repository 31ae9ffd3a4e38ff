import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { apiClient } from '../support/api-client.ts';
import { draftWithEvidence, statusOf } from '../support/journeys.ts';

/**
 * Review deadlines through the API, on days picked explicitly (the runtime's `clockStart`), so the answer is known
 * whatever day the suite runs: one inside the years the holiday calendar covers, one whose deadline runs into a year
 * it does not cover yet.
 */
describe.each([
  {
    day: 'a day whose deadline the calendar covers',
    clockStart: '2026-03-02T10:00:00+08:00', // a Monday; no holiday in the next 20 business days
    closedSince: '2026-02-01',
    deadline: { date: '2026-03-30', estimate: false },
  },
  {
    day: 'a day whose deadline runs into 2027, which the calendar does not cover yet',
    clockStart: '2026-12-10T10:00:00+08:00', // a Thursday; 28–31 December count as covered only with the next year's notice
    closedSince: '2026-11-01',
    deadline: { date: '2027-01-07', estimate: true, uncoveredYears: [2027] },
  },
])('the review deadline on $day', ({ clockStart, closedSince, deadline }) => {
  let runtime: LocalRuntime;
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-deadlines-'));

  beforeAll(async () => {
    runtime = await startLocalRuntime({ port: 0, dataDir, authority: 'manual', authorityDelayMs: 0, timeScale: 0.0001, clockStart });
  });

  afterAll(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is 20 business days after submission, shown once the authority has the order', async () => {
    // Prepare
    const agency = apiClient(runtime.url, runtime.demoTenant.agencyKey);
    const id = await draftWithEvidence(agency, { siteState: { state: 'closed', since: closedSince } });

    // Act
    expect((await agency('POST', `/v1/applications/${id}/submit`)).status).toBe(202);
    const app = await statusOf(agency, id, 'under_review');

    // Assess
    expect(app.createdAt.slice(0, 10)).toBe(clockStart.slice(0, 10)); // the API lives on the picked day
    expect(app.reviewDeadline).toEqual(deadline);
  });
});
