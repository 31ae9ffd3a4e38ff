import { useEffect, useState } from 'preact/hooks';

/**
 * Routes live in the URL's hash (`#/batches/bat_…`): the console is static files, so every deep link loads the same
 * `index.html` locally and from CloudFront without rewrite rules, and nothing of a route reaches a server log.
 */
export function useRoute(): string[] {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}

export function go(...parts: string[]): void {
  location.hash = href(...parts);
}
