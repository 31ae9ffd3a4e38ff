import { createHash } from 'node:crypto';
import document from '../../openapi.json' with { type: 'json' };
import type { HttpEvent, HttpResult } from '../../shared/http/api-gateway.ts';
import { observed } from '../../shared/observability/invocation.ts';

/**
 * GET /v1/openapi.json → the API's OpenAPI 3.1 document, to anyone: `openapi.json` at the repository's root, bundled
 * into this function when it is built (so it is the document of the code deployed with it), and answered without a
 * key or a table. Clients and browsers may keep it five minutes, then ask again with its ETag (304 when unchanged).
 */
const body = JSON.stringify(document);
const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
const headers = { 'content-type': 'application/json', 'cache-control': 'public, max-age=300', etag };

export const handler = observed(async (event: HttpEvent): Promise<HttpResult> => {
  // API Gateway (and the local runtime) pass header names lower-cased.
  if (matchesEtag(event.headers?.['if-none-match'])) return { statusCode: 304, headers };
  return { statusCode: 200, headers, body };
});

/** `If-None-Match`: `*`, or a list of entity tags, weak (`W/"…"`) or strong, compared weakly (RFC 9110 §13.1.2). */
function matchesEtag(ifNoneMatch: string | undefined): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}
