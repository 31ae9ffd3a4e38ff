import { makeDeps } from '../adapters/make-deps.ts';
import { ForbiddenError } from '../domain/errors.ts';
import type { Principal, Scope } from '../domain/records.ts';
import type { Deps } from '../ports/deps.ts';
import { authenticate } from '../use-cases/authenticate.ts';
import { type HttpEvent, type HttpResult, header, problem } from './api-gateway.ts';

export interface RouteContext {
  event: HttpEvent;
  principal: Principal;
  deps: Deps;
}

/**
 * A route handler: authenticates the caller (401 problem+json when the key is missing or unknown — an API Gateway
 * authorizer cannot answer problem+json on HTTP APIs), checks the scope (403), runs `fn`, and maps any error to
 * problem+json. Reads need any scope; writes name theirs.
 */
export function route(
  scope: Scope | 'any',
  fn: (ctx: RouteContext) => Promise<HttpResult>,
): (event: HttpEvent) => Promise<HttpResult> {
  return async (event) => {
    try {
      const deps = makeDeps();
      const principal = await authenticate(deps, header(event, 'authorization'));
      if (scope !== 'any' && !principal.scopes.includes(scope)) {
        throw new ForbiddenError(`This operation needs an API key with the ${scope} scope.`);
      }
      return await fn({ event, principal, deps });
    } catch (error) {
      return problem(error, event.rawPath ?? '');
    }
  };
}
