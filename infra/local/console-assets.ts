import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import sirv from 'sirv';
import { log } from '../../shared/log.ts';
import { consoleSecurityHeaders } from '../constructs/console-headers.ts';

/** Where the console is served: `/console/` (and `/console` redirects there), as CloudFront serves it. */
export const CONSOLE_PATH = '/console';

/** What the console's build is made from: a change to any of these makes the runtime build it again. */
const CONSOLE_INPUTS = ['console', 'shared/domain', 'shared/http', 'shared/use-cases', 'package-lock.json'];
/**
 * Not inputs: the build itself (and builds under way), the console workspace's own packages (its TypeScript 5), and
 * the API types generated before every type check, which the bundle does not contain (type imports only).
 */
const NOT_INPUTS = new Set(['dist', 'node_modules', 'openapi.gen.ts']);

function newestChange(root: string, path: string): number {
  const full = join(root, path);
  if (!existsSync(full)) return 0;
  const stats = statSync(full);
  if (!stats.isDirectory()) return stats.mtimeMs;
  const names = readdirSync(full).filter((name) => !NOT_INPUTS.has(name) && !name.startsWith('.dist-'));
  return Math.max(0, ...names.map((name) => newestChange(root, join(path, name))));
}

/**
 * Builds the console into `console/dist` when it is missing or older than its sources, as `npm run console:build`
 * does (Vite, loaded only then). It builds into a folder of its own and swaps it in, so a request never reads a half
 * written build and two runtimes building at once each end with a whole one.
 */
export async function ensureConsoleBuilt(root: string): Promise<string> {
  const dist = join(root, 'console', 'dist');
  const built = existsSync(join(dist, 'index.html')) ? statSync(join(dist, 'index.html')).mtimeMs : 0;
  if (built > 0 && built >= Math.max(...CONSOLE_INPUTS.map((p) => newestChange(root, p)))) return dist;
  const started = Date.now();
  const { build } = await import('vite');
  const building = join(root, 'console', `.dist-${process.pid}-${Date.now()}`);
  await build({ configFile: join(root, 'console', 'vite.config.ts'), build: { outDir: building, emptyOutDir: true }, logLevel: 'error' });
  const old = `${building}.old`;
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(building, dist);
  rmSync(old, { recursive: true, force: true });
  log.info('local runtime: console built', { ms: Date.now() - started });
  return dist;
}

/**
 * Serves the built console under `/console/` with the security headers CloudFront adds, `index.html` never cached
 * and the hashed assets cached for good; `s3Origin` is the local S3's, which the console uploads to and reads reports
 * from. Answers false for any other path (the API's). The build is awaited on the first request that needs it.
 */
export function consoleAssets(dist: Promise<string>, s3Origin: string): (request: IncomingMessage, response: ServerResponse) => Promise<boolean> {
  const headers = consoleSecurityHeaders(s3Origin);
  const serving = dist.then((dir) =>
    sirv(dir, {
      etag: true,
      setHeaders: (response, pathname) => {
        for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
        response.setHeader('cache-control', pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  // A failed build is logged once; the console's requests then answer 500 while the API goes on serving.
  serving.catch((error: unknown) => log.error('local runtime: the console could not be built (npm run console:build shows why)', { error }));

  return async (request, response) => {
    const url = request.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    if (path !== CONSOLE_PATH && !path.startsWith(`${CONSOLE_PATH}/`)) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (path === CONSOLE_PATH) {
      response.writeHead(301, { location: `${CONSOLE_PATH}/` }).end();
      return true;
    }
    let handler: Awaited<typeof serving>;
    try {
      handler = await serving;
    } catch {
      response.writeHead(500, { 'content-type': 'text/plain' }).end('The console could not be built: see the runtime log, or run npm run console:build.');
      return true;
    }
    request.url = url.slice(CONSOLE_PATH.length);
    handler(request, response, () => {
      response.writeHead(404, { 'content-type': 'text/plain', ...headers }).end('Not found');
    });
    return true;
  };
}
