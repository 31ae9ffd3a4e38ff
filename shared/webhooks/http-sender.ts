import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { UnsafeWebhookTargetError } from './errors.ts';
import { createWebhookAgents, type WebhookAgents } from './guarded-agent.ts';
import { parseRetryAfter } from './retry-after.ts';
import { checkWebhookUrl } from './ssrf-guard.ts';

/**
 * What one delivery attempt came to, for the delivery workflow and its log.
 * - `delivered`: 2xx.
 * - `gone`: 410; the endpoint is to be disabled, never retried.
 * - `retryable`: any other response, a network error or a timeout; retry with backoff, honouring `retryAfterSeconds`.
 * - `refused`: the URL or an address it resolved to is not public; nothing was sent, and retrying cannot help.
 */
export type WebhookOutcome = 'delivered' | 'retryable' | 'gone' | 'refused';

export interface WebhookResponse {
  outcome: WebhookOutcome;
  /** The HTTP status, when the endpoint answered. */
  status?: number;
  /** From `Retry-After` on a non-2xx answer, in whole seconds, capped to 24 h. */
  retryAfterSeconds?: number;
  /** Wall time of the attempt, including DNS, connect, TLS and the (bounded) body read. */
  durationMs: number;
  /** What went wrong, for a human; never contains a secret or a signature. */
  error?: string;
  /** The first 1 KiB of the response body, decoded as UTF-8, for the delivery log. */
  responseBody?: string;
}

export interface SendWebhookInput {
  url: string;
  /** The signature headers from `signWebhook` (and any others); `content-type` and `user-agent` are ours. */
  headers: Record<string, string>;
  /** The exact string that was signed. */
  body: string;
  /** Bound on the whole attempt, headers and body. Receivers are expected to acknowledge fast and work later. */
  timeoutMs?: number;
  /** Accept loopback targets (local runtime only). */
  allowLoopback: boolean;
  /** Accept http: URLs (local runtime only). */
  allowHttp?: boolean;
  /** Overrides the module-scope agents (tests inject some with a fake resolver). They must guard connects themselves. */
  agents?: WebhookAgents;
}

export const USER_AGENT = 'icp-cancel-webhooks/1';
/** Bound on one attempt unless told otherwise: receivers are expected to acknowledge at once and work later. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
const RESPONSE_BODY_LIMIT = 1024;

/** Built once per cold start, one per policy, so keep-alive connections are reused across deliveries. */
const agents = {
  strict: createWebhookAgents({ allowLoopback: false }),
  loopback: createWebhookAgents({ allowLoopback: true }),
};

/**
 * Sends one signed webhook attempt and classifies the result. Never throws for anything the endpoint or the network
 * does; the delivery workflow decides on retries from `outcome`.
 *
 * Policy (Standard Webhooks practice: any non-2xx is a failed attempt):
 * - Redirects are not followed, since the target would escape the SSRF check and the signature is bound to the
 *   registered URL. A 3xx is `retryable`, with an error telling the customer to register the final URL: like other
 *   4xx misconfigurations it is fixed on their side, and the retry schedule ends the attempts if they never do.
 * - Other 4xx (400, 401, 404…) are `retryable` too, keeping the status: a customer who broke their endpoint can fix
 *   it within the retry window. Only 410 says "stop" (`gone`).
 * - If the deadline expires after the status arrived but while reading the body, the status still decides: the
 *   receiver has answered, and its 2xx means it has the event.
 */
export async function sendWebhook(input: SendWebhookInput): Promise<WebhookResponse> {
  const { url, headers, body, timeoutMs = WEBHOOK_TIMEOUT_MS, allowLoopback, allowHttp = false } = input;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);

  // Checked again at send time: the URL may have been stored before a policy change, and it is cheap.
  const check = checkWebhookUrl(url, { allowLoopback, allowHttp });
  if (!check.ok) return { outcome: 'refused', durationMs: elapsed(), error: check.message };

  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  try {
    const response = await post(check.url, {
      headers: {
        ...lowerCaseKeys(headers),
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': USER_AGENT,
      },
      body,
      signal: deadline.signal,
      agents: input.agents ?? (allowLoopback ? agents.loopback : agents.strict),
    });
    const responseBody = await readPrefix(response, RESPONSE_BODY_LIMIT);
    return classify(response.statusCode ?? 0, response.headers, responseBody, elapsed());
  } catch (error) {
    const unsafe = findUnsafeTarget(error);
    if (unsafe) return { outcome: 'refused', durationMs: elapsed(), error: unsafe.message };
    const message = deadline.signal.aborted
      ? `No response within ${timeoutMs} ms; acknowledge webhooks with a 2xx at once and process them asynchronously.`
      : describeNetworkError(error);
    return { outcome: 'retryable', durationMs: elapsed(), error: redact(message, headers) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * POSTs `body` with Node's own client and resolves with the response once its status and headers are in (the body is
 * the caller's to read). Redirects are not followed: Node's client never does. The signal aborts the request and the
 * response alike.
 */
function post(
  url: URL,
  options: { headers: Record<string, string>; body: string; signal: AbortSignal; agents: WebhookAgents },
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const agent = url.protocol === 'https:' ? options.agents.https : options.agents.http;
    const req = send(url, { method: 'POST', headers: options.headers, agent, signal: options.signal }, resolve);
    req.on('error', reject);
    req.end(options.body);
  });
}

function classify(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  responseBody: string,
  durationMs: number,
): WebhookResponse {
  if (status >= 200 && status < 300) return { outcome: 'delivered', status, durationMs, responseBody };
  if (status === 410) {
    return { outcome: 'gone', status, durationMs, responseBody, error: 'The endpoint answered 410 Gone; it will be disabled.' };
  }
  const retryAfterSeconds = parseRetryAfter(headers['retry-after']);
  const error =
    status >= 300 && status < 400
      ? `The endpoint answered ${status} (redirect); redirects are not followed, register the final URL of your endpoint.`
      : `The endpoint answered ${status}; a 2xx is required to acknowledge a webhook.`;
  return {
    outcome: 'retryable',
    status,
    durationMs,
    responseBody,
    error,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  };
}

/**
 * Reads at most `limit` bytes, then destroys the stream so the rest is never downloaded (the connection is dropped,
 * which is cheaper than draining a large or endless body). A body cut short by the deadline or the peer keeps what
 * arrived: the status has already decided the outcome.
 */
async function readPrefix(stream: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) break;
    }
  } catch {
    // Truncated body: keep the prefix we have.
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function findUnsafeTarget(error: unknown): UnsafeWebhookTargetError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof UnsafeWebhookTargetError) return e;
  }
  return undefined;
}

/** `CODE: message` of the error (or of its cause), e.g. `ECONNREFUSED: connect ECONNREFUSED …`. */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return 'The request failed.';
  const code = (error as NodeJS.ErrnoException).code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code;
  return code === undefined ? error.message : `${code}: ${error.message}`;
}

/**
 * Belt and braces: no error text we pass on should ever hold a signature or a secret, but network libraries put
 * request details in messages in ways we do not control, so scrub both before the text reaches a log or a customer.
 */
function redact(text: string, headers: Record<string, string>): string {
  let out = text.replace(/whsec_[A-Za-z0-9+/=]+/g, 'whsec_[redacted]');
  const signatures = lowerCaseKeys(headers)['webhook-signature']?.split(' ') ?? [];
  for (const entry of signatures) {
    const signature = entry.slice(entry.indexOf(',') + 1);
    if (signature.length >= 8) out = out.split(signature).join('[redacted]');
  }
  return out;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
