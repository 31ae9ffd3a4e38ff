/**
 * The security headers of the console's pages, the same from CloudFront (`ConsoleHosting`'s response headers policy)
 * and from the local runtime (`infra/local/console-assets.ts`), so that the browser tests run under the policy that
 * deploys.
 *
 * The console is static files from its own origin and calls the API on that origin (`/v1`); the only other origin it
 * talks to is the evidence bucket, where browsers PUT uploads and GET reports with presigned URLs (`s3Origin`).
 * No inline script or style, nothing framed, no referrer (presigned URLs carry a signature).
 *
 * An evidence file's "View" opens its presigned GET in a new tab (`noopener noreferrer`): a top-level navigation,
 * which no directive of the page's policy governs (CSP 3 has no `navigate-to`), so nothing is added for it; the file
 * is never embedded here (no `frame-src`, `object-src` or `img-src` for the bucket), and S3 serves it from its own
 * origin, apart from the console's.
 */
export function consoleContentSecurityPolicy(s3Origin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${s3Origin}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** HSTS max-age: two years, as the HSTS preload list asks. */
export const CONSOLE_HSTS_SECONDS = 63_072_000;

/** The headers as the local runtime sends them (CloudFront's policy sets the same ones from its typed properties). */
export function consoleSecurityHeaders(s3Origin: string): Record<string, string> {
  return {
    'content-security-policy': consoleContentSecurityPolicy(s3Origin),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'strict-transport-security': `max-age=${CONSOLE_HSTS_SECONDS}; includeSubDomains`,
  };
}
