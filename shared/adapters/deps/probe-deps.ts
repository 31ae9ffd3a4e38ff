import { config } from '../../config.ts';
import type { Deps } from '../../ports/deps.ts';
import { DnsSiteProber, SimulatedSiteProber } from '../probe/site-probers.ts';
import { bound } from './bound.ts';

/** Whether a website still answers: DNS and the site itself, or the local authority's simulated world. */
export const probeDeps: () => Pick<Deps, 'prober'> = bound(() => ({
  prober: config().PROBE_MODE === 'simulated' ? new SimulatedSiteProber() : new DnsSiteProber(),
}));
