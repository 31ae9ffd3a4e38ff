import { ForbiddenError } from '../domain/errors.ts';
import type { Principal, Scope } from '../domain/records.ts';
import type { Deps } from '../ports/deps.ts';
import { authenticate } from '../use-cases/authenticate.ts';
import { type HttpEvent, type HttpResult, header, problem } from './api-gateway.ts';

/** What authenticating a caller needs; every route's dependencies include it. */
export type RouteDeps = Pick<Deps, 'tenants' | 'clock'>;

export interface RouteContext<D extends RouteDeps> {
  event: HttpEvent;
  principal: Principal;
  deps: D;
}

/**
 * A route handler: authenticates the caller (401 problem+json when the key is missing or unknown — an API Gateway
 * authorizer cannot answer problem+json on HTTP APIs), checks the scope (403), runs `fn`, and maps any error to
 * problem+json. Reads need any scope; writes name theirs.
 *
 * `deps` is the handler's own composition of dependency factories (`shared/adapters/deps/`), so that a read-only
 * route's bundle carries the DynamoDB client and nothing else.
 */
export function route<D extends RouteDeps>(
  scope: Scope | 'any',
  deps: () => D,
  fn: (ctx: RouteContext<D>) => Promise<HttpResult>,
): (event: HttpEvent) => Promise<HttpResult> {
  return async (event) => {
    try {
      const bound = deps();
      const principal = await authenticate(bound, header(event, 'authorization'));
      if (scope !== 'any' && !principal.scopes.includes(scope)) {
        throw new ForbiddenError(`This operation needs an API key with the ${scope} scope.`);
      }
      return await fn({ event, principal, deps: bound });
    } catch (error) {
      return problem(error, event.rawPath ?? '');
    }
  };
}
