import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { type UsageSnapshot, usageBetween } from '../../infra/local/usage.ts';
import { apiClient } from '../../test/support/api-client.ts';
import { applicationBody, PDF } from '../../test/support/fixtures.ts';
import { manifest, manifestRow } from '../../test/support/manifest.ts';
import { type ReceivedWebhook, startWebhookReceiver } from '../../test/support/webhook-receiver.ts';
import { BATCH_ROWS, type CostPath } from './paths.ts';

/**
 * Makes each path of `paths.ts` happen on the local runtime, through the HTTP API as an agency's script and an
 * operator would (`AUTHORITY=manual`, as in AWS), with one webhook endpoint subscribed to every event, and measures
 * what it used: a snapshot of the runtime's usage meter before and after (`runtime.usage`), the webhooks that
 * arrived, the bytes sent out of AWS (API answers, webhooks, downloads) and, when asked, the log lines written.
 *
 * Each step waits for the system to settle (every invocation over, nothing moving for a while) before the next, so a
 * path measures its own work only, and never a poll: the steps are the requests the path needs, nothing more.
 */

/** What one run of a path used. */
export interface PathRun {
  path: CostPath;
  usage: UsageSnapshot;
  /** The webhook events that arrived, in order of arrival. */
  events: string[];
  /** Bytes that leave AWS: API answers, webhook requests, downloads through presigned URLs. */
  bytesOut: { api: number; webhooks: number; downloads: number };
  /** Log lines the functions wrote and their bytes (when `captureLogs` was on). */
  logs: { lines: number; bytes: number };
}

export interface DriveOptions {
  /** `sources` (fast to start) or `bundled` (the deployed bundles, each function under its own credentials). */
  handlers: 'sources' | 'bundled';
  /** Count (and swallow) what is written to stdout and stderr during each path: the functions' log lines. */
  captureLogs?: boolean;
  /** Told of each step, for progress. */
  progress?: (line: string) => void;
}

/** A started runtime with the agency's and operator's clients and the tenant's webhook endpoint. */
export interface Rig {
  runtime: LocalRuntime;
  run(path: CostPath): Promise<PathRun>;
  stop(): Promise<void>;
}

/** How long nothing may move before the system counts as settled: the stream is polled every 200 ms. */
const QUIET_MS = 600;

/** Starts the local runtime, metered, with one webhook endpoint subscribed to every event. */
export async function startRig(options: DriveOptions): Promise<Rig> {
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-cost-'));
  const runtime = await startLocalRuntime({
    port: 0,
    dataDir,
    authority: 'manual',
    authorityDelayMs: 0,
    timeScale: 0.001,
    maxResubmissions: 3,
    handlers: options.handlers,
    // The roles are not what is measured here; without the IAM proxies a call makes one hop less.
    ...(options.handlers === 'bundled' ? { iam: 'off' as const } : {}),
    meter: true,
    // The start queue's sweep is a fixed cost of the deployment (every minute), not a cancellation's.
    schedules: false,
  });
  const receiver = await startWebhookReceiver();
  const usage = runtime.usage;
  if (!usage) throw new Error('The runtime was started without its meter');
  const out = { api: 0, downloads: 0 };
  const client = (key: string) => {
    const call = apiClient(runtime.url, key);
    return async (method: string, path: string, body?: unknown) => {
      const answer = await call(method, path, body);
      out.api += answerBytes(answer);
      if (answer.status >= 300) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      return answer.body;
    };
  };
  const agency = client(runtime.demoTenant.agencyKey);
  const operator = client(runtime.demoTenant.operatorKey);
  const endpoint = await agency('POST', '/v1/webhook-endpoints', { url: receiver.url });
  receiver.useSecret(endpoint.secret);
  const settle = () => settled(runtime);
  let capture: ReturnType<typeof captureOutput> | undefined;
  // Progress goes past the capture of the functions' output: it is not theirs.
  const say = (line: string) => (capture ? capture.passthrough(() => options.progress?.(line)) : options.progress?.(line));

  const steps: Record<string, () => Promise<void>> = {
    happy: async () => {
      const id = await uploadedDraft();
      await act('submit', () => agency('POST', `/v1/applications/${id}/submit`));
      await review(id, 'approved');
    },
    'rejected-once': async () => {
      const id = await uploadedDraft();
      await act('submit', () => agency('POST', `/v1/applications/${id}/submit`));
      await review(id, 'rejected');
      await act('resubmit', () => agency('POST', `/v1/applications/${id}/resubmit`, {}));
      await review(id, 'approved');
    },
    'final-rejection': async () => {
      const id = await uploadedDraft();
      await act('submit', () => agency('POST', `/v1/applications/${id}/submit`));
      for (let attempt = 1; attempt <= 3; attempt++) {
        await review(id, 'rejected');
        await act('resubmit', () => agency('POST', `/v1/applications/${id}/resubmit`, {}));
      }
      await review(id, 'rejected');
    },
    'batch-row': async () => {
      const rows = Array.from({ length: BATCH_ROWS }, () => manifestRow(applicationBody()));
      const batch = await act('create batch', () => agency('POST', '/v1/batches', { format: 'csv', hold: true }));
      await act('upload manifest', () => put(batch.upload.uploadUrl, batch.upload.headers, Buffer.from(manifest(rows))));
      const link = await act('report link', () => agency('GET', `/v1/batches/${batch.id}/report`));
      await act('download report', () => download(link.url));
    },
  };

  async function act<T>(what: string, action: () => Promise<T>): Promise<T> {
    say(`  ${what}`);
    const result = await action();
    await settle();
    return result;
  }

  /** A draft with its closure proof uploaded and checked. */
  async function uploadedDraft(): Promise<string> {
    const created = await act('create', () => agency('POST', '/v1/applications', applicationBody()));
    const upload = await act('upload URL', () =>
      agency('POST', `/v1/applications/${created.id}/evidence`, { kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length }),
    );
    await act('upload', () => put(upload.uploadUrl, { 'content-type': 'application/pdf' }, PDF));
    return created.id as string;
  }

  /** The authority's part of one attempt, recorded by the operator: the SMS notice, then the decision. */
  async function review(id: string, outcome: 'approved' | 'rejected'): Promise<void> {
    await act('SMS notice', () => operator('POST', `/v1/reviews/${id}/verification`, {}));
    const decision =
      outcome === 'approved' ? { outcome } : { outcome, reasons: [{ code: 'DOCUMENT_UNCLEAR', message: 'The scan is blurred' }] };
    await act(`decision: ${outcome}`, () => operator('POST', `/v1/reviews/${id}/decision`, decision));
  }

  async function put(url: string, headers: Record<string, string>, body: Buffer): Promise<void> {
    const answer = await fetch(url, { method: 'PUT', headers, body });
    if (answer.status !== 200) throw new Error(`PUT ${url} answered ${answer.status}: ${await answer.text()}`);
  }

  async function download(url: string): Promise<void> {
    const answer = await fetch(url);
    if (answer.status !== 200) throw new Error(`GET ${url} answered ${answer.status}`);
    out.downloads += (await answer.arrayBuffer()).byteLength;
  }

  return {
    runtime,
    async run(path) {
      const step = steps[path.id];
      if (!step) throw new Error(`No way to drive the path ${path.id}`);
      say(path.title);
      await settle();
      const [before, received, sent] = [usage.snapshot(), receiver.received.length, { ...out }];
      const logs = options.captureLogs ? captureOutput() : undefined;
      capture = logs;
      try {
        await step();
      } finally {
        logs?.release();
        capture = undefined;
      }
      const arrived = receiver.received.slice(received);
      return {
        path,
        usage: usageBetween(before, usage.snapshot()),
        events: arrived.map((w) => w.type),
        bytesOut: {
          api: out.api - sent.api,
          webhooks: arrived.reduce((sum, w) => sum + webhookBytes(w), 0),
          downloads: out.downloads - sent.downloads,
        },
        logs: logs?.counted() ?? { lines: 0, bytes: 0 },
      };
    },
    async stop() {
      await receiver.stop();
      await runtime.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Resolves once every function invocation has finished and nothing has moved (invocations, transitions, DynamoDB and
 * S3 requests) for {@link QUIET_MS}.
 */
async function settled(runtime: LocalRuntime, timeoutMs = 60_000): Promise<void> {
  const usage = runtime.usage as NonNullable<LocalRuntime['usage']>;
  const fingerprint = () => {
    const s = usage.snapshot();
    const fns = Object.values(s.functions);
    const busy = fns.some((f) => f.durationsMs.length < f.invocations);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const moved = [
      sum(fns.map((f) => f.invocations)),
      sum(Object.values(s.transitions).flatMap((t) => Object.values(t))),
      sum(Object.values(s.dynamodb).flatMap((ops) => Object.values(ops).map((o) => o.requests))),
      sum(Object.values(s.s3).flatMap((ops) => Object.values(ops))),
    ].join(',');
    return { busy, moved };
  };
  const started = Date.now();
  let last = fingerprint();
  let quietSince = Date.now();
  while (Date.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = fingerprint();
    if (now.busy || now.moved !== last.moved) quietSince = Date.now();
    last = now;
    if (!now.busy && Date.now() - quietSince >= QUIET_MS) return;
  }
  throw new Error(`The local runtime did not settle within ${timeoutMs} ms`);
}

/** An API answer's size on the wire, roughly: its JSON body and its headers. */
function answerBytes(answer: { headers: Headers; body: unknown }): number {
  let bytes = answer.body === undefined ? 0 : Buffer.byteLength(JSON.stringify(answer.body));
  answer.headers.forEach((value, name) => {
    bytes += name.length + value.length + 4;
  });
  return bytes;
}

/** A webhook request's size on the wire, roughly: its body and its headers. */
function webhookBytes(webhook: ReceivedWebhook): number {
  return (
    Buffer.byteLength(JSON.stringify(webhook.body)) +
    Object.entries(webhook.headers).reduce((sum, [name, value]) => sum + name.length + String(value).length + 4, 0)
  );
}

/** Counts and swallows what this process writes to stdout and stderr (the functions' log lines) until released. */
function captureOutput(): { counted(): { lines: number; bytes: number }; passthrough(write: () => void): void; release(): void } {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write.bind(s));
  let lines = 0;
  let bytes = 0;
  let passing = false;
  for (const [i, stream] of streams.entries()) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (passing) return (originals[i] as (...args: unknown[]) => boolean)(chunk, ...rest);
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      bytes += Buffer.byteLength(text);
      lines += text.split('\n').filter((l) => l.trim() !== '').length;
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
  return {
    counted: () => ({ lines, bytes }),
    passthrough: (write) => {
      passing = true;
      try {
        write();
      } finally {
        passing = false;
      }
    },
    release: () => {
      streams.forEach((s, i) => {
        s.write = originals[i] as typeof s.write;
      });
    },
  };
}
