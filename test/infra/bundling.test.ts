import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { AppFunction, HOLIDAY_DATA_SOURCE, REPO_ROOT } from '../../infra/constructs/app-function.ts';

/**
 * Bundles one function for real (esbuild, as `cdk deploy` does; the other infra tests turn bundling off) and runs the
 * bundle: the holiday calendar's year files are data read at run time, which esbuild leaves out, so AppFunction copies
 * them beside the bundle and the loader must find them there.
 */
describe('an AppFunction bundle', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'icp-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('carries the holiday calendar, and the bundled loader reads it from there; its source map lies beside it', async () => {
    // Prepare
    const app = new App({ outdir });
    const stack = new Stack(app, 'BundleProbe');
    new AppFunction(stack, 'CalendarProbe', { entry: 'test/infra/fixtures/calendar-probe.ts' });

    // Act
    const assembly = app.synth();
    const [asset] = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    const bundle = join(assembly.directory, asset as string);
    const probe = (await import(pathToFileURL(join(bundle, 'index.mjs')).href)) as {
      handler: () => Promise<{ dataDir: string; years: number[]; deadline: { value: string; estimate: boolean } }>;
    };
    const answer = await probe.handler();

    // Assess
    const yearFiles = readdirSync(join(REPO_ROOT, HOLIDAY_DATA_SOURCE)).filter((name) => /^\d{4}\.json$/.test(name));
    expect(readdirSync(join(bundle, 'holiday-calendar')).sort()).toEqual(yearFiles.sort());
    expect(answer.dataDir).toBe(join(bundle, 'holiday-calendar/'));
    expect(answer.years).toEqual(yearFiles.map((name) => Number(name.slice(0, 4))));
    // National Day week and the make-up Saturday 2025-10-11 are known, so this is exact, not a weekends-only estimate.
    expect(answer.deadline).toEqual({ value: '2025-10-16', estimate: false });
    // Emitted for debugging, not loaded by default (no --enable-source-maps in NODE_OPTIONS: README, Deploy to AWS).
    expect(readdirSync(bundle)).toContain('index.mjs.map');
  }, 60_000);
});
