import { config } from '../../config.ts';
import type { Deps } from '../../ports/deps.ts';
import { HttpAuthorityGateway, ManualAuthorityGateway } from '../authority/authority-gateways.ts';
import { bound } from './bound.ts';

/** Where orders go: an operator (production), or the local runtime's simulated authority. */
export const authorityDeps: () => Pick<Deps, 'authority'> = bound(() => {
  const c = config();
  return {
    authority: c.AUTHORITY_MODE === 'simulated' && c.AUTHORITY_URL ? new HttpAuthorityGateway(c.AUTHORITY_URL) : new ManualAuthorityGateway(),
  };
});
