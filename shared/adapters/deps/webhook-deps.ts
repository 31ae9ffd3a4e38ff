import { config } from '../../config.ts';
import type { Deps } from '../../ports/deps.ts';
import { sendWebhook } from '../../webhooks/http-sender.ts';
import { bound } from './bound.ts';

/** Sends signed webhooks to customers' endpoints: Node's HTTP client with the SSRF guard, for the functions that send webhooks (the dispatcher and the delivery task). */
export const webhookDeps: () => Pick<Deps, 'sender'> = bound(() => {
  const c = config();
  return {
    sender: {
      send: (input) => sendWebhook({ ...input, allowLoopback: c.WEBHOOKS_ALLOW_LOOPBACK, allowHttp: c.WEBHOOKS_ALLOW_HTTP }),
    },
  };
});
