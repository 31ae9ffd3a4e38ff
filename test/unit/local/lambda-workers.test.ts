import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LambdaWorkers, type WorkerFunction } from '../../../infra/local/lambda-workers.ts';

process.env.LOG_LEVEL = 'SILENT'; // a module without its handler is logged as it fails to start

/**
 * The worker host of the bundled functions: each function in its own worker thread, with its own `process.env`, and
 * errors reported as Lambda reports them. The "bundles" here are small modules written the way esbuild minifies: the
 * error class has lost its name, only the `name` the code sets survives.
 */
const root = mkdtempSync(join(tmpdir(), 'icp-lambda-workers-'));

const HANDLER = `
var t = class extends Error { name = "TransientError"; };
export const handler = async (event, context) => {
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  if (event.throw === 'named') throw new t("the table is busy");
  if (event.throw === 'string') throw "just text";
  if (event.exit) process.exit(3);
  if (event.set) process.env.WHO = event.set;
  if (event.nothing) return undefined;
  return {
    who: process.env.WHO,
    region: process.env.AWS_REGION,
    functionName: context.functionName,
    remainingMs: context.getRemainingTimeInMillis(),
    at: new Date(0),
    event,
  };
};
`;

function bundle(name: string, code: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.mjs'), code);
  return join(dir, 'index.mjs');
}

function fn(logicalId: string, file: string, env: Record<string, string>): WorkerFunction {
  return { logicalId, file, exportName: 'handler', env, execArgv: ['--enable-source-maps'], memorySize: 128, timeoutSeconds: 30 };
}

describe('LambdaWorkers', () => {
  const file = bundle('fn', HANDLER);
  let host: LambdaWorkers | undefined;

  afterEach(async () => {
    await host?.stop();
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('rejects with the name the thrown error carries (Lambda errorType), and its message', async () => {
    // Prepare
    host = new LambdaWorkers(new Map([['Fn', fn('Fn', file, {})]]));

    // Act
    const named = await host.invoke('Fn', { throw: 'named' }).catch((error: Error) => error);
    const text = await host.invoke('Fn', { throw: 'string' }).catch((error: Error) => error);

    // Assess
    expect(named).toBeInstanceOf(Error);
    expect(named).toMatchObject({ name: 'TransientError', message: 'the table is busy' });
    expect((named as Error).stack).toContain('index.mjs');
    expect(text).toMatchObject({ name: 'string', message: 'just text' });
  });

  it("gives each function its own process.env, not the host's nor another function's", async () => {
    // Prepare
    host = new LambdaWorkers(
      new Map([
        ['A', fn('A', file, { WHO: 'a', AWS_REGION: 'local' })],
        ['B', fn('B', file, { WHO: 'b', AWS_REGION: 'local' })],
      ]),
    );

    // Act
    await host.invoke('A', { set: 'a, changed' });
    const [a, b] = (await Promise.all([host.invoke('A', {}), host.invoke('B', {})])) as Record<string, unknown>[];

    // Assess
    expect(a).toMatchObject({ who: 'a, changed', region: 'local', functionName: 'A' });
    expect(b).toMatchObject({ who: 'b', region: 'local', functionName: 'B' });
    expect(process.env.WHO).toBeUndefined();
  });

  it('passes JSON copies in and out, null for undefined, with the time left before the function timeout', async () => {
    // Prepare
    host = new LambdaWorkers(new Map([['Fn', fn('Fn', file, {})]]));
    const event = { nested: { list: [1, 2] }, when: new Date(0) };

    // Act
    const result = (await host.invoke('Fn', event)) as Record<string, unknown>;
    const nothing = await host.invoke('Fn', { nothing: true });

    // Assess
    expect(result.event).toEqual({ nested: { list: [1, 2] }, when: '1970-01-01T00:00:00.000Z' });
    expect(result.at).toBe('1970-01-01T00:00:00.000Z');
    expect(result.remainingMs).toBeGreaterThan(25_000);
    expect(result.remainingMs).toBeLessThanOrEqual(30_000);
    expect(nothing).toBeNull();
  });

  it('counts the invocations of each function; warm() starts every one, and a module without the handler fails it', async () => {
    // Prepare
    const empty = bundle('empty', 'export const other = 1;');
    host = new LambdaWorkers(new Map([['Fn', fn('Fn', file, {})]]));
    const broken = new LambdaWorkers(new Map([['Empty', fn('Empty', empty, {})]]));

    // Act
    await host.warm();
    await host.invoke('Fn', {});
    await host.invoke('Fn', {});
    const warmBroken = await broken.warm().catch((error: Error) => error);
    const invokeBroken = await broken.invoke('Empty', {}).catch((error: Error) => error);
    await broken.stop();

    // Assess
    expect(Object.fromEntries(host.invocations())).toEqual({ Fn: 2 });
    expect(host.functionIds()).toEqual(['Fn']);
    expect(warmBroken).toMatchObject({ name: 'Runtime.HandlerNotFound' });
    expect(invokeBroken).toMatchObject({ name: 'Runtime.HandlerNotFound' });
  });

  it('measures how long each finished invocation ran, in the worker, failed ones too', async () => {
    // Prepare
    host = new LambdaWorkers(new Map([['Fn', fn('Fn', file, {})]]));
    await host.warm();

    // Act
    await host.invoke('Fn', { sleepMs: 60 });
    await host.invoke('Fn', { sleepMs: 5, throw: 'named' }).catch(() => undefined);

    // Assess
    const durations = host.durations().get('Fn') ?? [];
    expect(durations).toHaveLength(2);
    expect(durations[0]).toBeGreaterThanOrEqual(59);
    expect(durations[0]).toBeLessThan(1000);
    expect(durations[1]).toBeGreaterThanOrEqual(4);
  });

  it('replaces an instance that died, failing the call it was running with Runtime.ExitError', async () => {
    // Prepare
    host = new LambdaWorkers(new Map([['Fn', fn('Fn', file, { WHO: 'a' })]]));

    // Act
    const died = await host.invoke('Fn', { exit: true }).catch((error: Error) => error);
    const next = await host.invoke('Fn', {});

    // Assess
    expect(died).toMatchObject({ name: 'Runtime.ExitError' });
    expect(next).toMatchObject({ who: 'a' });
  });

  it('runs one invocation at a time per instance: a busy function gets more instances, up to its limit, then queues', async () => {
    // Prepare: a module that notes how many invocations it runs at once, and which instance it is
    const counting = bundle(
      'counting',
      `const instance = Math.random().toString(36).slice(2);
       let busy = 0;
       export const handler = async (event) => {
         const atOnce = ++busy;
         await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
         busy--;
         return { instance, atOnce };
       };`,
    );
    host = new LambdaWorkers(new Map([['Fn', fn('Fn', counting, {})]]), 2);
    await host.invoke('Fn', { sleepMs: 0 }); // one instance imported: its start-up is not in the timing below

    // Act
    const started = performance.now();
    const results = (await Promise.all(Array.from({ length: 4 }, () => host?.invoke('Fn', { sleepMs: 150 })))) as { instance: string; atOnce: number }[];
    const elapsed = performance.now() - started;

    // Assess: never two at once in one instance; two instances; the last two waited for the first two
    expect(results.map((r) => r.atOnce)).toEqual([1, 1, 1, 1]);
    expect(new Set(results.map((r) => r.instance)).size).toBe(2);
    expect(host.instanceCounts().get('Fn')).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(295);
  });

  it('refuses invocations once stopped', async () => {
    // Prepare
    host = new LambdaWorkers(new Map([['Fn', fn('Fn', file, {})]]));
    await host.invoke('Fn', {});

    // Act
    await host.stop();
    const after = await host.invoke('Fn', {}).catch((error: Error) => error);

    // Assess
    expect(after).toBeInstanceOf(Error);
  });
});
