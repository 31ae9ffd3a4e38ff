import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { webhookContractViolation } from './contract.ts';

export interface ReceivedWebhook {
  id: string;
  type: string;
  body: Record<string, unknown> & { type: string; data: Record<string, unknown> };
  verified: boolean;
  /** Which of the receiver's secrets verify the message (during a rotation, the old and the new one). */
  verifiedWith: string[];
  headers: IncomingHttpHeaders;
  at: number;
}

/**
 * A customer's webhook endpoint on loopback: it verifies every delivery with the `standardwebhooks` library (the way a
 * customer would) and keeps what arrived. `failNext(n)` answers 500 to the next n deliveries, to exercise retries.
 * Every delivery is also checked against the `webhooks` of the API's OpenAPI document (`contract.ts`): `stop()` fails,
 * listing them, when one broke it, so every test that receives webhooks checks their contract.
 */
export async function startWebhookReceiver() {
  const received: ReceivedWebhook[] = [];
  const violations: string[] = [];
  let secrets: string[] = [];
  let failures = 0;
  let failure: { status: number; headers: Record<string, string> } = { status: 500, headers: {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failures > 0) {
        failures--;
        res.writeHead(failure.status, failure.headers).end('try again');
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      const verifiedWith = secrets.filter((secret) => {
        try {
          new Webhook(secret).verify(raw, req.headers as Record<string, string>);
          return true;
        } catch {
          return false;
        }
      });
      const body = JSON.parse(raw) as ReceivedWebhook['body'];
      const violation = webhookContractViolation(req.headers, body);
      if (violation) violations.push(violation);
      received.push({
        id: String(req.headers['webhook-id']),
        type: body.type,
        body,
        verified: verifiedWith.length > 0,
        verifiedWith,
        headers: req.headers,
        at: Date.now(),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** Verify with this secret (and, during a rotation, the others given). */
    useSecret(...s: string[]) {
      secrets = s;
    },
    /** Answer the next n deliveries with this status and headers (default 500). */
    failNext(n: number, answer: { status?: number; headers?: Record<string, string> } = {}) {
      failures = n;
      failure = { status: answer.status ?? 500, headers: answer.headers ?? {} };
    },
    /** The events received for one application, in order of arrival. */
    forApplication(applicationId: string) {
      return received.filter((w) => w.body.data.applicationId === applicationId);
    },
    /** Deliveries that broke the API's contract, as messages (`stop()` fails when there are any). */
    violations,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      if (violations.length > 0) throw new Error(`${violations.length} webhook deliveries broke the API's contract:\n${violations.slice(0, 5).join('\n')}`);
    },
  };
}
