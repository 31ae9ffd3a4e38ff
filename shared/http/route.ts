import type { Context } from 'aws-lambda';
import { ForbiddenError } from '../domain/errors.ts';
import type { Principal, Scope } from '../domain/records.ts';
import { type BusinessKeys, businessKeys, observed } from '../observability/invocation.ts';
import type { Deps } from '../ports/deps.ts';
import { authenticate, recordKeyUse } from '../use-cases/authenticate.ts';
import { assertPathParametersFit, type HttpEvent, type HttpResult, header, problem } from './api-gateway.ts';

/** What authenticating a caller needs; every route's dependencies include it. */
export type RouteDeps = Pick<Deps, 'tenants' | 'clock'>;

export interface RouteContext<D extends RouteDeps> {
  event: HttpEvent;
  principal: Principal;
  deps: D;
}

/**
 * A route handler: authenticates the caller (401 problem+json when the key is missing or unknown — an API Gateway
 * authorizer cannot answer problem+json on HTTP APIs), answers 404 for a path parameter too long to name anything
 * (before any lookup with it), checks the scope (403), runs `fn`, and maps any error to
 * problem+json. Reads need any scope; writes name theirs. A request that succeeds records its key's use (`lastUsedAt`,
 * at most once an hour per key). Once the caller is known, the invocation's logs (and trace)
 * carry its `tenantId` and the record the path names (`pathKeys`); the invocation is `observed()`.
 *
 * `deps` is the handler's own composition of dependency factories (`shared/adapters/deps/`), so that a read-only
 * route's bundle carries the DynamoDB client and nothing else.
 */
export function route<D extends RouteDeps>(
  scope: Scope | 'any',
  deps: () => D,
  fn: (ctx: RouteContext<D>) => Promise<HttpResult>,
): (event: HttpEvent, context?: Context) => Promise<HttpResult> {
  return observed(async (event: HttpEvent) => {
    try {
      const bound = deps();
      const principal = await authenticate(bound, header(event, 'authorization'));
      assertPathParametersFit(event);
      businessKeys({ tenantId: principal.tenantId, ...pathKeys(event) });
      if (scope !== 'any' && !principal.scopes.includes(scope)) {
        throw new ForbiddenError(`This operation needs an API key with the ${scope} scope.`);
      }
      const result = await fn({ event, principal, deps: bound });
      // Only a request that succeeded counts as a use of its key: a refused one changes nothing, not even that.
      if ((result.statusCode ?? 200) < 400) await recordKeyUse(bound, principal);
      return result;
    } catch (error) {
      return problem(error, event.rawPath ?? '');
    }
  });
}

/** The business key that a route's `{id}` is, by the collection it is in (a review's id is its application's). */
const PATH_KEYS: Record<string, keyof BusinessKeys> = {
  applications: 'applicationId',
  reviews: 'applicationId',
  batches: 'batchId',
  'webhook-deliveries': 'deliveryId',
};

/** `{ applicationId }` for `POST /v1/applications/{id}/submit`, and so on; nothing for other routes. */
export function pathKeys(event: Pick<HttpEvent, 'routeKey' | 'pathParameters'>): BusinessKeys {
  const collection = /^\S+ \/v1\/([^/]+)\/\{id\}/.exec(event.routeKey ?? '')?.[1];
  const key = collection === undefined ? undefined : PATH_KEYS[collection];
  const id = event.pathParameters?.id;
  return key && id ? { [key]: id } : {};
}
