import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console: a static single-page app served under `/console/` (by the local runtime, and in AWS by CloudFront from
 * S3), talking to the API at `/v1` on the same origin. `npm run console:build` writes it to `console/dist`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  // Preact's JSX (no plugin needed: Vite's own transform does TSX).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    alias: {
      // The CSV preview validates rows with the API's own `validateApplication`, whose domain parser imports
      // `domainToASCII` from `node:url`; the browser's URL parser does the same WHATWG conversion.
      'node:url': fileURLToPath(new URL('./src/node-url.ts', import.meta.url)),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Source maps stay out of the deployed bundle: nothing in it is secret, but it is smaller without.
    sourcemap: false,
  },
  logLevel: 'warn',
});
