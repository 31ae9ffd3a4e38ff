import { promises as dns } from 'node:dns';
import type { SiteProber } from '../../ports/services.ts';

/**
 * Asks DNS whether any of the domains still resolves. A closed site must not resolve to a server any more
 * (providers block unfiled domains after approval), so a resolving domain is what the authority would flag as
 * SITE_STILL_REACHABLE.
 */
export class DnsSiteProber implements SiteProber {
  constructor(private readonly timeoutMs = 3000) {}

  async probe(domains: string[]): Promise<{ reachable: boolean; detail: string }> {
    const resolving: string[] = [];
    await Promise.all(
      domains.map(async (domain) => {
        const lookup = Promise.any([dns.resolve4(domain), dns.resolve6(domain)]);
        const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), this.timeoutMs).unref());
        try {
          const addresses = await Promise.race([lookup, timeout]);
          if (addresses.length > 0) resolving.push(domain);
        } catch {
          // NXDOMAIN, no records or no answer in time: not reachable through DNS.
        }
      }),
    );
    return resolving.length > 0
      ? { reachable: true, detail: `still resolves: ${resolving.sort().join(', ')}` }
      : { reachable: false, detail: 'no domain resolves' };
  }
}

/**
 * The local runtime's world, where nothing is on the internet: a domain is reachable when its first label is
 * `still-up` (e.g. `still-up.example.cn`), so tests and demos can make the authority reject a site that still answers.
 */
export class SimulatedSiteProber implements SiteProber {
  async probe(domains: string[]): Promise<{ reachable: boolean; detail: string }> {
    const up = domains.filter((d) => d.startsWith('still-up.'));
    return up.length > 0 ? { reachable: true, detail: `still answers: ${up.join(', ')}` } : { reachable: false, detail: 'no domain answers' };
  }
}
