import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAssets } from '../../../infra/local/console-assets.ts';
import { type HttpApi, startHttpApi } from '../../../infra/local/engines/http-api-local.ts';

/** The local runtime's console files beside its API, on a built console of two files (no Vite build here). */
describe('the console served by the local runtime', () => {
  const dist = mkdtempSync(join(tmpdir(), 'console-dist-'));
  let api: HttpApi;
  const invoked: string[] = [];

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    api = await startHttpApi({
      routes: [{ routeKey: '$default', invoke: async (event) => (invoked.push(event.rawPath), { statusCode: 404, body: '{}' }) }],
      serveOther: consoleAssets(Promise.resolve(dist), 'http://127.0.0.1:9999'),
    });
  });
  afterAll(async () => {
    await api.stop();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at /console/ with the security headers CloudFront adds, never cached', async () => {
    // Act
    const response = await fetch(`${api.url}/console/`);

    // Assess
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>console</title>');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("connect-src 'self' http://127.0.0.1:9999");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('caches the hashed assets for good, redirects /console to /console/, and answers 404 for a missing file', async () => {
    // Act
    const asset = await fetch(`${api.url}/console/assets/index-abc123.js`);
    const bare = await fetch(`${api.url}/console`, { redirect: 'manual' });
    const missing = await fetch(`${api.url}/console/nothing-here.js`);
    const escape = await fetch(`${api.url}/console/..%2f..%2fetc%2fpasswd`);

    // Assess
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/');
    expect(missing.status).toBe(404);
    expect(escape.status).toBe(404);
  });

  it('leaves every other path and method to the API', async () => {
    // Act
    const other = await fetch(`${api.url}/consoles`);
    const post = await fetch(`${api.url}/console/`, { method: 'POST', body: '{}' });

    // Assess
    expect(other.status).toBe(404);
    expect(post.status).toBe(404);
    expect(invoked).toEqual(['/consoles', '/console/']);
  });
});
