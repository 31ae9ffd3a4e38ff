import { NotFoundError } from '../../shared/domain/errors.ts';
import { type HttpEvent, type HttpResult, problem } from '../../shared/http/api-gateway.ts';
import { observed } from '../../shared/observability/invocation.ts';

/**
 * `$default`: every request that matches no route (an unknown path, or a known path with another method) gets a 404
 * problem+json like every other error of the API, instead of API Gateway's plain `{"message":"Not Found"}`. No key is
 * needed to be told a route does not exist, and nothing is read.
 */
export const handler = observed(async (event: HttpEvent): Promise<HttpResult> => {
  const method = event.requestContext?.http?.method ?? 'GET';
  const path = event.rawPath ?? '/';
  return problem(
    new NotFoundError(`No route ${method} ${path}.`, {
      errors: [
        {
          path: '(route)',
          code: 'no_route',
          message: 'Check the method and the path against the route table in README (paths start with /v1/).',
        },
      ],
    }),
    path,
  );
});
