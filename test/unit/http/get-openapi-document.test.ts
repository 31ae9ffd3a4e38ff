import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/http/get-openapi-document.ts';
import type { HttpEvent } from '../../../shared/http/api-gateway.ts';

const request = (headers: Record<string, string> = {}) => ({ rawPath: '/v1/openapi.json', headers }) as unknown as HttpEvent;

/** `GET /v1/openapi.json`: the committed document, to anyone, cacheable, and 304 to a request that has it already. */
describe('the OpenAPI document handler', () => {
  it('answers openapi.json without a key, with its ETag and five minutes of caching', async () => {
    // Act
    const answer = await handler(request());

    // Assess
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body ?? '')).toEqual(JSON.parse(readFileSync(new URL('../../../openapi.json', import.meta.url), 'utf8')));
    expect(answer.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'public, max-age=300', etag: expect.stringMatching(/^"[\w-]{22}"$/) });
  });

  it('answers 304 without a body to its ETag, weak or strong, alone or in a list, and to *; 200 to another', async () => {
    // Prepare
    const etag = String((await handler(request())).headers?.etag);

    // Act
    const statuses = await Promise.all(
      [etag, `W/${etag}`, `"other", ${etag}`, '*', '"other"'].map(async (tag) => {
        const answer = await handler(request({ 'if-none-match': tag }));
        return `${tag} → ${answer.statusCode}${answer.body === undefined ? '' : ' with body'}`;
      }),
    );

    // Assess
    expect(statuses).toEqual([`${etag} → 304`, `W/${etag} → 304`, `"other", ${etag} → 304`, '* → 304', '"other" → 200 with body']);
  });
});
