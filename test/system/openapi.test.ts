import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument, methodAndPath } from '../../infra/openapi/document.ts';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { HTTP_ROUTES } from '../../infra/stacks/catalog.ts';
import { apiClient } from '../support/api-client.ts';

/**
 * The API's document as the API serves it (`GET /v1/openapi.json`, to anyone), and the one promise of the document no
 * single test's answers can check: who may call each operation. Every call here goes through `apiClient`, so each
 * answer is also checked against the document.
 */
describe('the OpenAPI document, served', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-openapi-'));
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startLocalRuntime({ port: 0, dataDir, authority: 'manual', authorityDelayMs: 0, timeScale: 1_000 });
  });

  afterAll(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers the document without a key, cacheable, and 304 to its ETag', async () => {
    // Act
    const served = await fetch(`${runtime.url}/v1/openapi.json`);
    const document: unknown = await served.json();
    const etag = served.headers.get('etag') ?? '';
    const again = await fetch(`${runtime.url}/v1/openapi.json`, { headers: { 'if-none-match': `W/"other", ${etag}`, authorization: 'Bearer not-a-key' } });

    // Assess
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('application/json');
    expect(served.headers.get('cache-control')).toBe('public, max-age=300');
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    expect(document).toEqual(buildOpenApiDocument());
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('lets each operation be called by exactly the keys its security names', async () => {
    // Prepare: keys of each scope, and none; ids that name nothing (the scope is decided before any lookup)
    const keys = { agencyKey: runtime.demoTenant.agencyKey, operatorKey: runtime.demoTenant.operatorKey };
    const document = buildOpenApiDocument();

    // Act
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const route of HTTP_ROUTES.filter((r) => r.routeKey !== '$default')) {
      const [method, template] = methodAndPath(route.routeKey);
      const operation = document.paths[template]?.[method];
      const allowed = (operation?.security ?? []).flatMap((s) => Object.keys(s));
      const path = template.replace(/\{\w+\}/g, 'missing_1');
      const body = method === 'post' ? {} : undefined;
      for (const [scheme, key] of [['none', ''], ...Object.entries(keys)] as const) {
        const answer = await apiClient(runtime.url, key)(method.toUpperCase(), path, body);
        const refusedFor = answer.status === 401 ? 'no key' : answer.status === 403 ? 'scope' : undefined;
        outcomes.push(`${route.id} with ${scheme}: ${refusedFor ? `refused (${refusedFor})` : 'let through'}`);
        const lets = allowed.length === 0 || allowed.includes(scheme);
        expected.push(`${route.id} with ${scheme}: ${lets ? 'let through' : `refused (${scheme === 'none' ? 'no key' : 'scope'})`}`);
      }
    }

    // Assess
    expect(outcomes).toEqual(expected);
  });
});
