import { Agent as HttpAgent, type AgentOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP, type NetConnectOpts, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { guardedLookup, type HostResolver, isForbiddenAddress, unsafeTarget } from './ssrf-guard.ts';

export interface WebhookAgentOptions {
  /** Accept loopback targets (local runtime only). */
  allowLoopback: boolean;
  /** DNS resolver; tests inject one to simulate a name that rebinds to a private address. */
  resolve?: HostResolver;
}

/** One keep-alive agent per scheme, both guarded the same way; `destroy()` closes their sockets. */
export interface WebhookAgents {
  http: HttpAgent;
  https: HttpsAgent;
  destroy(): void;
}

type ConnectCallback = (error: Error | null, socket: Duplex) => void;

/**
 * Node's own HTTP agents (no HTTP client library: undici alone was half a megabyte of every bundle that sends
 * webhooks, and a third of their cold start), with every new connection checked against the SSRF address policy at
 * connect time: names through `guardedLookup` (the agents' `lookup` option reaches `net.connect` / `tls.connect`), IP
 * literals in `createConnection` (Node never calls `lookup` for those). The check is on the addresses actually
 * dialled, so it holds even if DNS changed since `checkWebhookUrl` passed.
 *
 * Build them once per policy at module scope and reuse them: they pool keep-alive connections across deliveries.
 */
export function createWebhookAgents(opts: WebhookAgentOptions): WebhookAgents {
  const policy = { allowLoopback: opts.allowLoopback };
  const options: AgentOptions & { lookup: ReturnType<typeof guardedLookup> } = {
    keepAlive: true,
    // Short idle keep-alive: endpoints are many and each is hit rarely. A free socket idle this long is closed.
    timeout: 4_000,
    lookup: guardedLookup({ ...policy, resolve: opts.resolve }),
  };
  /** Refuses a forbidden IP literal before dialling; anything else connects as the agent would. */
  const guard = (connect: (o: NetConnectOpts, cb: ConnectCallback) => Duplex | null | undefined) =>
    function createConnection(this: HttpAgent, connectOptions: NetConnectOpts, callback: ConnectCallback): Duplex | undefined {
      const host = String((connectOptions as { host?: string }).host ?? '').replace(/^\[(.*)\]$/, '$1');
      if (isIP(host) !== 0) {
        const reason = isForbiddenAddress(host, policy);
        if (reason !== undefined) {
          // The agent hands this error to the request ('error'), and no socket is ever made.
          callback(unsafeTarget(host, host, reason), undefined as unknown as Socket);
          return undefined;
        }
      }
      return connect.call(this, connectOptions, callback) ?? undefined;
    };

  const http = new HttpAgent(options);
  const https = new HttpsAgent(options);
  // `createConnection` is a documented override point of both agents (net.createConnection and tls.connect behind it).
  const httpConnect = (HttpAgent.prototype as unknown as { createConnection: Parameters<typeof guard>[0] }).createConnection;
  const httpsConnect = (HttpsAgent.prototype as unknown as { createConnection: Parameters<typeof guard>[0] }).createConnection;
  Object.assign(http, { createConnection: guard(httpConnect) });
  Object.assign(https, { createConnection: guard(httpsConnect) });
  return {
    http,
    https,
    destroy: () => {
      http.destroy();
      https.destroy();
    },
  };
}
