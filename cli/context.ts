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

/** Builds the API client from the flags, falling back on `ICP_API_URL` and `ICP_API_KEY`. */
export function clientFrom(options: ConnectionOptions, io: CliIo): ApiClient {
  const apiUrl = options.apiUrl ?? io.env.ICP_API_URL;
  const apiKey = options.apiKey ?? io.env.ICP_API_KEY;
  if (!apiUrl) throw new UsageError('No API URL: pass --api-url or set ICP_API_URL (e.g. http://localhost:3000).');
  if (!apiKey) throw new UsageError('No API key: pass --api-key or set ICP_API_KEY (an agency key, icp_agency_…).');
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

/** Adds `--api-url` and `--api-key` to a command (each command lists them in its own help). */
export function withConnection<C extends { option(flags: string, description: string): C }>(command: C): C {
  return command
    .option('--api-url <url>', 'the API\'s base URL (default: $ICP_API_URL)')
    .option('--api-key <key>', 'an agency API key (default: $ICP_API_KEY)');
}
