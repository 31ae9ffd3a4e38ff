import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { guardedLookup, type HostResolver, isForbiddenAddress, unsafeTarget } from './ssrf-guard.ts';

export interface WebhookAgentOptions {
  /** Accept loopback targets (local runtime only). */
  allowLoopback: boolean;
  /** DNS resolver; tests inject one to simulate a name that rebinds to a private address. */
  resolve?: HostResolver;
}

/**
 * An undici `Agent` whose every new connection is checked against the SSRF address policy at connect time:
 * names through `guardedLookup`, IP literals directly (Node never calls `lookup` for those). The check is on the
 * addresses actually dialled, so it holds even if DNS changed since `checkWebhookUrl` passed.
 *
 * Build one per policy at module scope and reuse it: it pools keep-alive connections across deliveries.
 */
export function createWebhookAgent(opts: WebhookAgentOptions): Agent {
  const policy = { allowLoopback: opts.allowLoopback };
  const connectGuarded = buildConnector({ lookup: guardedLookup({ ...policy, resolve: opts.resolve }) });
  return new Agent({
    connect: (options, callback) => {
      // undici strips the brackets of IPv6 literals before calling the connector; strip again in case that changes.
      const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
      if (isIP(host) !== 0) {
        const reason = isForbiddenAddress(host, policy);
        if (reason !== undefined) {
          callback(unsafeTarget(host, host, reason), null);
          return;
        }
      }
      connectGuarded(options, callback);
    },
    // Short idle keep-alive: endpoints are many and each is hit rarely.
    keepAliveTimeout: 4_000,
  });
}
