import { Agent, request as httpRequest } from 'node:http';
import type { FuzzRequest } from './requests.ts';

/** What came back. `status` 0: no answer (the connection failed, or no answer within the timeout). */
export interface FuzzResponse {
  status: number;
  contentType: string | undefined;
  body: Buffer;
  ms: number;
  error?: string;
}

/** Longer than the slowest answer counted as a failure (10 s), so a slow answer is measured rather than cut. */
const GIVE_UP_MS = 30_000;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/**
 * Sends a request exactly as made (`node:http`: the path is not normalised, `..` and `%2F` reach the server as
 * written, which `fetch` would not allow).
 */
export function send(baseUrl: string, request: FuzzRequest): Promise<FuzzResponse> {
  const url = new URL(baseUrl);
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (response: Omit<FuzzResponse, 'ms'>) => resolve({ ...response, ms: performance.now() - started });
    let req: ReturnType<typeof httpRequest>;
    try {
      req = httpRequest({
        agent,
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.target,
        headers: { ...request.headers, ...(request.body ? { 'content-length': String(request.body.length) } : {}) },
        timeout: GIVE_UP_MS,
      });
    } catch (error) {
      // Node refused to send it (a header or path no HTTP client could send): not the API's doing.
      done({ status: -1, contentType: undefined, body: Buffer.alloc(0), error: (error as Error).message });
      return;
    }
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: Buffer.concat(chunks) }));
      res.on('error', (error) => done({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: Buffer.concat(chunks), error: error.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${GIVE_UP_MS} ms`)));
    req.on('error', (error) => done({ status: 0, contentType: undefined, body: Buffer.alloc(0), error: error.message }));
    req.end(request.body);
  });
}

/** Closes the kept-alive connection. */
export function closeConnections(): void {
  agent.destroy();
}
