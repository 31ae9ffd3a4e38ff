import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApplicationDetail, BatchView } from '../../../cli/api-types.ts';
import type { CliIo } from '../../../cli/context.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string's parameters. */
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}
export type FakeRoute = (request: RecordedRequest, base: string) => FakeAnswer | Promise<FakeAnswer>;

/**
 * A stand-in for the icp-cancel API and its presigned S3 URLs on loopback: routes are `"METHOD /path"` (query string
 * left out) → an answer; every request is recorded. Unknown routes answer 404 problem+json.
 */
export async function startFakeApi(routes: Record<string, FakeRoute>) {
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const path = decodeURIComponent(url.pathname);
      const query = Object.fromEntries(url.searchParams);
      const request = { method: req.method ?? 'GET', path, query, headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(request);
      const route = routes[`${request.method} ${path}`];
      const answer: FakeAnswer = route
        ? await route(request, base)
        : { status: 404, headers: { 'content-type': 'application/problem+json' }, body: { title: 'Not found', status: 404 } };
      const body = answer.body === undefined ? '' : typeof answer.body === 'string' || Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    /** Requests to one route, in order. */
    to: (route: string) => requests.filter((r) => `${r.method} ${r.path}` === route),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers `answers` in turn, repeating the last one. */
export function sequence(...answers: FakeAnswer[]): FakeRoute {
  let i = 0;
  return () => answers[Math.min(i++, answers.length - 1)] as FakeAnswer;
}

/** Captured streams and a no-wait sleep for running the CLI in-process. */
export function captureIo(cwd: string, env: Record<string, string | undefined> = {}, tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  const sleeps: number[] = [];
  const io: CliIo = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s), isTTY: tty, columns: 200 },
    env,
    cwd,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join(''), sleeps };
}

type Counts = BatchView['counts'];

/**
 * A batch as `GET /v1/batches/{id}` answers it, every member the document requires present; `rows` and `counts` are
 * merged into zeros, so a test names only what it is about.
 */
export function batchView(fields: Omit<Partial<BatchView>, 'rows' | 'counts'> & { rows?: Partial<BatchView['rows']>; counts?: Partial<Counts> } = {}): BatchView {
  const { rows, counts, ...rest } = fields;
  const zero: Counts = { draft: 0, submitted: 0, under_review: 0, rejected: 0, approved: 0, rejected_final: 0, failed: 0, withdrawn: 0 };
  return {
    id: 'bat_1',
    status: 'ingesting',
    source: 'csv',
    submit: 'immediately',
    hold: false,
    progress: 0,
    reportAvailable: false,
    createdAt: '2026-11-29T08:00:00.000Z',
    updatedAt: '2026-11-29T08:00:00.000Z',
    ...rest,
    rows: { processed: 0, accepted: 0, rejected: 0, ...rows },
    counts: { ...zero, ...counts } as Counts,
  };
}

/** An application as `GET /v1/applications/{id}` answers it (a draft of a website cancellation, unless told). */
export function applicationView(fields: Partial<ApplicationDetail> = {}): ApplicationDetail {
  return {
    id: 'app_1',
    status: 'draft',
    kind: 'cancel_website',
    filingNumber: '京ICP备10046444号-9',
    websiteName: '示例网站',
    domains: ['example.cn'],
    subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: '91330100799655058B' },
    reason: 'business_change',
    siteState: { state: 'closed', since: '2026-11-01' },
    attempts: 1,
    requiredEvidence: ['closure_proof'],
    rejectionReasons: [],
    warnings: [],
    createdAt: '2026-11-29T08:00:00.000Z',
    updatedAt: '2026-11-29T08:00:00.000Z',
    missingEvidence: ['closure_proof'],
    evidence: [],
    timeline: [{ sequence: 1, status: 'draft', at: '2026-11-29T08:00:00.000Z', detail: 'Application created' }],
    ...fields,
  };
}

/** A JSON body of a recorded request. */
export const bodyOf = (request: RecordedRequest | undefined): unknown => JSON.parse(request?.body.toString() ?? 'null');

/** An RFC 9457 refusal as the API sends it. */
export function problem(status: number, title: string, extra: Record<string, unknown> = {}): FakeAnswer {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: { type: 'https://icp-cancel.dev/problems/x', title, status, detail: title, instance: '/', errors: [], ...extra },
  };
}
