import { ApiClient } from './api-client.ts';
import { UsageError } from './errors.ts';
import type { ProgressStream } from './progress.ts';

/** What a command touches outside itself; the real process's in `icp-cancel.ts`, captured ones in tests. */
export interface CliIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env: Record<string, string | undefined>;
  cwd: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/** The connection flags every command takes. */
export interface ConnectionOptions {
  apiUrl?: string;
  apiKey?: string;
}

/** Which key a command needs: the agency's (most), or an operator's (`reviews`). */
export type KeyScope = 'agency' | 'operator';

/**
 * Builds the API client from the flags, falling back on `ICP_API_URL` and `ICP_API_KEY`; an operator's command first
 * on `ICP_OPERATOR_KEY`, so that one shell can hold both keys.
 */
export function clientFrom(options: ConnectionOptions, io: CliIo, scope: KeyScope = 'agency'): ApiClient {
  const apiUrl = options.apiUrl ?? io.env.ICP_API_URL;
  const apiKey = options.apiKey ?? (scope === 'operator' ? (io.env.ICP_OPERATOR_KEY ?? io.env.ICP_API_KEY) : io.env.ICP_API_KEY);
  if (!apiUrl) throw new UsageError('No API URL: pass --api-url or set ICP_API_URL (e.g. http://localhost:3000).');
  if (!apiKey) {
    throw new UsageError(
      scope === 'operator'
        ? 'No API key: pass --api-key or set ICP_OPERATOR_KEY (an operator key, icp_operator_…).'
        : 'No API key: pass --api-key or set ICP_API_KEY (an agency key, icp_agency_…).',
    );
  }
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new UsageError(`The API URL "${apiUrl}" is not a URL (expected e.g. https://api.example.com).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`The API URL must be http(s), not ${url.protocol}`);
  }
  return new ApiClient({ baseUrl: url.toString(), apiKey, ...(io.fetch ? { fetch: io.fetch } : {}) });
}

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `--interval` in seconds, as a number of milliseconds. */
export function intervalMs(value: string | undefined, fallbackSeconds = 1): number {
  if (value === undefined) return fallbackSeconds * 1000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new UsageError(`--interval takes a number of seconds between 0 and 3600, not "${value}".`);
  }
  return Math.round(seconds * 1000);
}

/** `--limit` as the API takes it: a whole number from 1 to the list's maximum. */
export function limitOf(value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw new UsageError(`--limit takes a whole number from 1 to ${max}.`);
  return limit;
}

/** Adds `--api-url` and `--api-key` to a command (each command lists them in its own help). */
export function withConnection<C extends { option(flags: string, description: string): C }>(command: C, scope: KeyScope = 'agency'): C {
  return command
    .option('--api-url <url>', 'the API\'s base URL (default: $ICP_API_URL)')
    .option(
      '--api-key <key>',
      scope === 'operator' ? 'an operator API key (default: $ICP_OPERATOR_KEY, else $ICP_API_KEY)' : 'an agency API key (default: $ICP_API_KEY)',
    );
}

/** What `--json` prints: the API's answer, indented, on stdout. */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The hint under a page that has more: on stderr, so that stdout stays one record a line. */
export function writeMore(io: CliIo, nextCursor: string | undefined): void {
  if (nextCursor) io.stderr.write(`(more: --cursor ${nextCursor})\n`);
}
