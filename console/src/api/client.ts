import createClient, { type Middleware } from 'openapi-fetch';
import type { paths, Problem } from './paths.ts';
import { currentKey, signOut } from '../session.ts';

/**
 * The console's API client: openapi-fetch on the same origin (`/v1`, so no CORS: locally the runtime serves both, in
 * AWS CloudFront routes `/v1/*` to the API). The key is read from the session for each request and sent only as
 * `Authorization: Bearer`, never in a URL.
 */
export const api = createClient<paths>({ baseUrl: '' });

const bearer: Middleware = {
  onRequest({ request }) {
    const key = currentKey();
    if (key) request.headers.set('authorization', `Bearer ${key}`);
    return request;
  },
  onResponse({ response }) {
    // A revoked or mistyped key: back to sign-in rather than a page of errors.
    if (response.status === 401) signOut();
    return response;
  },
};
api.use(bearer);

/** An API answer that is not a success, with its problem document (RFC 9457). */
export class ApiProblemError extends Error {
  override readonly name = 'ApiProblemError';
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

/** The data of an openapi-fetch answer, or the problem it carries thrown as an `ApiProblemError`. */
export async function ok<T>(answer: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await answer;
  if (error !== undefined || !response.ok) throw new ApiProblemError(asProblem(error, response));
  return data as T;
}

function asProblem(error: unknown, response: Response): Problem {
  if (error && typeof error === 'object' && 'status' in error) return error as Problem;
  // Not problem+json (a gateway's own refusal, a proxy's page): what the status line says.
  const title = response.statusText || 'Request failed';
  return { type: 'about:blank', title, status: response.status, detail: title, instance: response.url ? new URL(response.url).pathname : '', errors: [] };
}
