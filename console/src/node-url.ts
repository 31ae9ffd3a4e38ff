import { toUnicode } from 'punycode';

/**
 * The two functions of `node:url` that the shared domain parser (`shared/domain/identifiers/domain-name.ts`) uses,
 * for the browser (Vite aliases `node:url` here): Node's apply the WHATWG URL standard's host parsing, which the
 * browser's `URL` applies to a host. An empty string means "not a valid domain", as Node answers.
 */
export function domainToASCII(domain: string): string {
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return '';
  }
}

/** The ASCII form back to Unicode (the browser's URL keeps hosts in punycode). */
export function domainToUnicode(domain: string): string {
  const ascii = domainToASCII(domain);
  return ascii === '' ? '' : toUnicode(ascii);
}
