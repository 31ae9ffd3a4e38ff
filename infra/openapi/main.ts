import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from './document.ts';

/** `npm run openapi`: writes the API's document to `openapi.json` at the repository's root (what the API serves). */

/** The committed file: `GET /v1/openapi.json` bundles it, and a test checks it against the generator. */
export const OPENAPI_FILE = fileURLToPath(new URL('../../openapi.json', import.meta.url));

/** The file's text: two-space JSON and a final newline, so a regenerated file diffs line by line. */
export function openApiText(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(OPENAPI_FILE, openApiText());
  console.log(`openapi: wrote ${OPENAPI_FILE}`);
}
