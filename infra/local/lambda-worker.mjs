// @ts-check
/**
 * One local Lambda instance: runs in its own worker thread (see `lambda-workers.ts`), with its function's own
 * `process.env`, and does what Lambda's Node.js runtime does: imports the handler's module once (the cold start), then
 * runs one invocation per message and answers with the JSON of the result, or the error as Lambda reports it
 * (`errorType` is the thrown error's `name`, which Step Functions' Retry and Catch match).
 *
 * Plain JavaScript, not TypeScript: it must start in a bare worker, without the loader that runs the local runtime.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { types } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
const { file, exportName } = /** @type {{ file: string; exportName: string }} */ (workerData);

/** An error as Lambda's Node.js runtime reports it (`toRapidResponse` of aws-lambda-nodejs-runtime-interface-client). */
function lambdaError(/** @type {unknown} */ error) {
  if (types.isNativeError(error) || (error instanceof Object && 'name' in error && 'message' in error)) {
    const e = /** @type {{ name: unknown; message: unknown; stack?: unknown }} */ (error);
    return { errorType: String(e.name), errorMessage: String(e.message), trace: String(e.stack ?? '').split('\n') };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

/** @type {(event: unknown, context: unknown) => unknown} */
let handler;
try {
  const module = await import(pathToFileURL(file).href);
  handler = module[exportName];
  if (typeof handler !== 'function') {
    const error = new Error(`${file} exports no function ${exportName}`);
    error.name = 'Runtime.HandlerNotFound';
    throw error;
  }
  port.postMessage({ type: 'ready' });
} catch (error) {
  port.postMessage({ type: 'init-error', error: lambdaError(error) });
}

port.on('message', async (/** @type {{ id: string; event: string; context: Record<string, unknown> & { deadlineMs: number } }} */ message) => {
  const { deadlineMs, ...fields } = message.context;
  const context = {
    ...fields,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
  };
  const event = JSON.parse(message.event);
  // The invocation's duration as Lambda bills it: the handler's time, measured here, not the messages' round trip.
  const started = performance.now();
  try {
    const result = await handler(event, context);
    const durationMs = performance.now() - started;
    port.postMessage({ type: 'result', id: message.id, result: result === undefined ? 'null' : JSON.stringify(result), durationMs });
  } catch (error) {
    port.postMessage({ type: 'error', id: message.id, error: lambdaError(error), durationMs: performance.now() - started });
  }
});
