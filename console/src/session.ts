/**
 * Who is signed in: the pasted API key, kept in sessionStorage (gone when the tab closes, never in a URL, never sent
 * anywhere but the API's `Authorization` header). Its scope is the key's prefix (`icp_agency_…`, `icp_operator_…`),
 * which decides which views the console shows; the API enforces the scope itself.
 */
const KEY = 'icp-cancel.api-key';

export type Scope = 'agency' | 'operator';

const listeners = new Set<() => void>();

export function currentKey(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function scopeOf(key: string): Scope | undefined {
  const scope = /^icp_(agency|operator)_[A-Za-z0-9_-]{20,}$/.exec(key)?.[1];
  return scope as Scope | undefined;
}

export function signIn(key: string): void {
  sessionStorage.setItem(KEY, key);
  for (const listener of listeners) listener();
}

export function signOut(): void {
  if (sessionStorage.getItem(KEY) === null) return;
  sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

/** Calls `listener` on every sign-in and sign-out; returns the unsubscribe. */
export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
