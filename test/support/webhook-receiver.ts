import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  type: string;
  body: Record<string, unknown> & { type: string; data: Record<string, unknown> };
  verified: boolean;
  headers: IncomingHttpHeaders;
}

/**
 * A customer's webhook endpoint on loopback: it verifies every delivery with the `standardwebhooks` library (the way a
 * customer would) and keeps what arrived. `failNext(n)` answers 500 to the next n deliveries, to exercise retries.
 */
export async function startWebhookReceiver() {
  const received: ReceivedWebhook[] = [];
  let secret: string | undefined;
  let failures = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failures > 0) {
        failures--;
        res.writeHead(500).end('try again');
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      try {
        if (secret) {
          new Webhook(secret).verify(raw, req.headers as Record<string, string>);
          verified = true;
        }
      } catch {
        verified = false;
      }
      const body = JSON.parse(raw) as ReceivedWebhook['body'];
      received.push({ id: String(req.headers['webhook-id']), type: body.type, body, verified, headers: req.headers });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    useSecret(s: string) {
      secret = s;
    },
    failNext(n: number) {
      failures = n;
    },
    /** The events received for one application, in order of arrival. */
    forApplication(applicationId: string) {
      return received.filter((w) => w.body.data.applicationId === applicationId);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
