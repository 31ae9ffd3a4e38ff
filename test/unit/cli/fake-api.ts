import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CliIo } from '../../../cli/context.ts';

export interface RecordedRequest {
  method: string;
  path: string;
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
      const path = (req.url ?? '/').split('?')[0] as string;
      const request = { method: req.method ?? 'GET', path, headers: req.headers, body: Buffer.concat(chunks) };
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
