/** An answer of the API: its status and its JSON body. */
export interface Answer {
  status: number;
  body: Record<string, any>;
}

/** The run's deadline passed while a request was still being retried. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/** What the client went through, for the run's figures. */
export interface ClientStats {
  requests: number;
  /** Attempts that got no answer (connection refused or reset: the runtime was down, or died under the request). */
  networkFailures: number;
  /** Attempts answered ≥ 500 (a function crashed, or ran out of retries). */
  serverErrors: number;
}

const ATTEMPT_TIMEOUT_MS = 60_000;
const SLOW_MS = 10_000;

/**
 * The agency's and the operator's HTTP client, as a careful customer's script would be: a request that gets no
 * answer (the service is down, or died under it) or a 5xx is sent again, unchanged — with the same Idempotency-Key
 * where it has one — with backoff (0.1 s doubling to 2 s), until an answer below 500 or the run's deadline. What a
 * retried request finds (a 409 because the first attempt did its work after all) is for the caller to read.
 */
export class ChaosClient {
  readonly stats: ClientStats = { requests: 0, networkFailures: 0, serverErrors: 0 };

  constructor(
    private readonly baseUrl: string,
    private readonly deadline: number,
    /** Told of every request that took longer than `SLOW_MS` to get its answer, with its tries. */
    private readonly onSlow: (line: string) => void = () => {},
  ) {}

  async call(key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    this.stats.requests += 1;
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${key}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        const text = await response.text();
        if (response.status < 500) {
          if (Date.now() - started > SLOW_MS) this.onSlow(`${method} ${path} answered ${response.status} after ${Math.round((Date.now() - started) / 1000)} s and ${attempt} tries`);
          return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
        }
        this.stats.serverErrors += 1;
      } catch (error) {
        if (error instanceof SyntaxError) throw error;
        this.stats.networkFailures += 1;
      }
      await this.backoff(attempt, `${method} ${path}`);
    }
  }

  /**
   * PUTs a file to a presigned URL, once: true when S3 took it. A failed upload is the caller's to start again with a
   * new URL (the old one may name an S3 that died with the runtime).
   */
  async put(url: string, body: string | Buffer, headers: Record<string, string>): Promise<boolean> {
    this.stats.requests += 1;
    try {
      const response = await fetch(url, { method: 'PUT', headers, body, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
      await response.arrayBuffer();
      if (response.status >= 500) this.stats.serverErrors += 1;
      return response.status === 200;
    } catch {
      this.stats.networkFailures += 1;
      return false;
    }
  }

  /** Downloads a presigned GET (a batch report), retried like a call. */
  async download(url: string): Promise<Buffer> {
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
        if (response.status === 200) return Buffer.from(await response.arrayBuffer());
        this.stats.serverErrors += Number(response.status >= 500);
      } catch {
        this.stats.networkFailures += 1;
      }
      await this.backoff(attempt, 'the report download');
    }
  }

  private async backoff(attempt: number, what: string): Promise<void> {
    if (Date.now() > this.deadline) throw new DeadlineError(`the run's deadline passed while retrying ${what}`);
    await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** (attempt - 1))));
  }
}
