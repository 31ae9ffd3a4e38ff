import { assertContract } from './contract.ts';

/**
 * A tiny client for the HTTP API, as a customer's script would use it (real HTTP, JSON). Every answer is checked
 * against the API's OpenAPI document (`contract.ts`): an answer whose status, content type or body the document does
 * not describe for that operation fails the call, and so the test, with what differs. `{ contract: false }` turns the
 * check off, for a caller that sends what no client should (none does today).
 */
export function apiClient(baseUrl: string, key: string, options: { contract?: boolean } = {}) {
  return async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed = (text ? JSON.parse(text) : undefined) as Record<string, any>;
    if (options.contract !== false) {
      assertContract({ method, path, status: response.status, contentType: response.headers.get('content-type'), body: parsed, key });
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
}
export type ApiCall = ReturnType<typeof apiClient>;

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
