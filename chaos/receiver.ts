import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { seededRandom } from '../shared/adapters/faults/fault-plan.ts';

/** One event the receiver accepted (answered 2xx), first arrival of its `webhook-id`. */
export interface AcceptedEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

export interface ReceiverOptions {
  seed: number;
  /** Share of requests outside the down window answered 429 (with `Retry-After: 1`) or 503 (without), half each. */
  failureRate: number;
}

/**
 * A customer's webhook endpoint that is not always there: the chaos run's receiver, a real HTTP server on loopback.
 *
 * - `down(ms)`: for the first half of the window it does not listen at all (connection refused), for the second it
 *   answers every request 503;
 * - otherwise it answers `failureRate` of the requests 429 (`Retry-After: 1`) or 503, drawn from the seed;
 * - every request's Standard Webhooks signature is verified (with `standardwebhooks`, as a customer would) against
 *   every secret the run has learned for the endpoint; a request that verifies with none is counted (`badSignatures`)
 *   and answered 400; an accepted one (204) is kept once per `webhook-id`.
 */
export class ChaosReceiver {
  readonly accepted = new Map<string, AcceptedEvent>();
  /** Requests whose signature no known secret verifies. */
  badSignatures = 0;
  /** Requests by the answer given: 204, 400, 429, 503. */
  readonly answers = new Map<number, number>();
  /** When the last request came (the run waits for deliveries to stop coming before it checks). */
  lastRequestAt = 0;
  /** Every request, in order of arrival: when, its webhook-id, the event, the answer (kept with a failed run's data). */
  readonly requests: { at: string; id: string; type?: string; applicationId?: unknown; sequence?: unknown; status: number }[] = [];
  private secrets: string[] = [];
  private readonly random: () => number;
  private server: Server | undefined;
  private port = 0;
  private failingUntil = 0;
  private downTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ReceiverOptions) {
    this.random = seededRandom(options.seed, 'chaos:receiver');
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** Also verify with this secret (an endpoint's, or one learned by a rotation). */
  addSecret(secret: string): void {
    if (!this.secrets.includes(secret)) this.secrets.push(secret);
  }

  async start(): Promise<void> {
    await this.listen(0);
  }

  /** Unreachable for `ms`: refusing connections for the first half, answering 503 for the second. */
  down(ms: number): void {
    this.failingUntil = Date.now() + ms;
    void this.close();
    this.downTimer = setTimeout(() => {
      this.downTimer = undefined;
      void this.listen(this.port);
    }, ms / 2);
  }

  /** Whether the down window is still on. */
  get isDown(): boolean {
    return Date.now() < this.failingUntil;
  }

  async stop(): Promise<void> {
    if (this.downTimer) clearTimeout(this.downTimer);
    await this.close();
  }

  private handle(headers: IncomingHttpHeaders, raw: string): { status: number; headers?: Record<string, string> } {
    this.lastRequestAt = Date.now();
    const verified = this.secrets.some((secret) => {
      try {
        new Webhook(secret).verify(raw, headers as Record<string, string>);
        return true;
      } catch {
        return false;
      }
    });
    if (!verified) {
      this.badSignatures += 1;
      return { status: 400 };
    }
    if (Date.now() < this.failingUntil) return { status: 503 };
    const draw = this.random();
    if (draw < this.options.failureRate / 2) return { status: 429, headers: { 'retry-after': '1' } };
    if (draw < this.options.failureRate) return { status: 503 };
    const id = String(headers['webhook-id']);
    if (!this.accepted.has(id)) {
      const body = JSON.parse(raw) as { type: string; data: Record<string, unknown> };
      this.accepted.set(id, { id, type: body.type, data: body.data });
    }
    return { status: 204 };
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const answer = this.handle(req.headers, raw);
        this.answers.set(answer.status, (this.answers.get(answer.status) ?? 0) + 1);
        this.requests.push({ at: new Date().toISOString(), id: String(req.headers['webhook-id']), ...summaryOf(raw), status: answer.status });
        res.writeHead(answer.status, answer.headers ?? {}).end();
      });
    });
    // Back on the port it had: another process may hold it a moment (TIME_WAIT is no obstacle to a listener).
    for (let attempt = 1; ; attempt++) {
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, '127.0.0.1', () => {
            server.off('error', reject);
            resolve();
          });
        });
        break;
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The event's type, application and sequence, for the request log (nothing when the body is not an event). */
function summaryOf(raw: string): { type?: string; applicationId?: unknown; sequence?: unknown } {
  try {
    const body = JSON.parse(raw) as { type?: string; data?: { applicationId?: unknown; sequence?: unknown } };
    return { ...(body.type ? { type: body.type } : {}), applicationId: body.data?.applicationId, sequence: body.data?.sequence };
  } catch {
    return {};
  }
}
