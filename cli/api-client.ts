import { z } from 'zod';
import { ApiError, CliError, UnreachableError } from './errors.ts';

/** Where to upload the manifest: a presigned S3 PUT and the headers it was signed with. */
export const UploadTarget = z.looseObject({
  uploadUrl: z.string().url(),
  method: z.string().default('PUT'),
  headers: z.record(z.string(), z.string()).default({}),
  expiresAt: z.string().optional(),
});
export type UploadTarget = z.infer<typeof UploadTarget>;

/** `POST /v1/batches` with `{ format: "csv" }`. */
export const CreatedBatch = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  upload: UploadTarget.optional(),
});
export type CreatedBatch = z.infer<typeof CreatedBatch>;

/** `GET /v1/batches/{id}`: the batch's stage, its row counts and the applications' counts per status. */
export const BatchView = z.looseObject({
  id: z.string().min(1),
  /** `awaiting_upload` → `ingesting` → `ingested` (report written) → `completed`; or `failed`. */
  status: z.string(),
  hold: z.boolean().optional(),
  rows: z
    .looseObject({ total: z.number().optional(), processed: z.number().default(0), accepted: z.number().default(0), rejected: z.number().default(0) })
    .default({ processed: 0, accepted: 0, rejected: 0 }),
  counts: z.record(z.string(), z.number()).default({}),
  /** Rows that reached an end, from 0 to 1. */
  progress: z.number().optional(),
  reportAvailable: z.boolean().optional(),
  error: z.looseObject({ code: z.string().optional(), message: z.string().optional() }).optional(),
  createdAt: z.string().optional(),
  /** Rows and the start requests of their reviews durable: ingestion over. */
  ingestedAt: z.string().optional(),
  /** The last review the ingestion requested started (a batch that submits `immediately`). */
  reviewsStartedAt: z.string().optional(),
});
export type BatchView = z.infer<typeof BatchView>;

const BatchPage = z.looseObject({ items: z.array(BatchView), nextCursor: z.string().optional() });

const ReleasePage = z.looseObject({ submitted: z.number(), waiting: z.number(), skipped: z.number(), nextCursor: z.string().optional() });

const ReportLink = z.looseObject({ url: z.string().url() });

/** `POST /v1/batch-evidence`: a shared evidence file's id and its presigned upload. */
export const CreatedEvidence = UploadTarget.extend({ evidenceId: z.string().min(1) });
export type CreatedEvidence = z.infer<typeof CreatedEvidence>;

/** `GET /v1/batch-evidence/{id}`: the file's check. */
export const SharedEvidenceView = z.looseObject({
  evidenceId: z.string().min(1),
  status: z.string(),
  rejectionReason: z.string().optional(),
});
export type SharedEvidenceView = z.infer<typeof SharedEvidenceView>;

export interface ApiClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** Per request; the manifest upload gets `uploadTimeoutMs`. */
  timeoutMs?: number;
  uploadTimeoutMs?: number;
}

/**
 * The batch endpoints of the icp-cancel API, as the command-line client uses them. Every failure is a `CliError`
 * with a message fit for one line: `ApiError` for an error status (with the problem's field errors),
 * `UnreachableError` when no answer came.
 */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly uploadTimeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? 600_000;
  }

  /** Creates a CSV batch; the answer carries the presigned upload (or none when the key replays a finished one). */
  async createCsvBatch(options: { hold: boolean; idempotencyKey: string }): Promise<CreatedBatch> {
    const body = { format: 'csv', ...(options.hold ? { hold: true } : {}) };
    const json = await this.request('POST', '/v1/batches', body, { 'idempotency-key': options.idempotencyKey });
    return parseAnswer(CreatedBatch, json, 'POST /v1/batches');
  }

  async getBatch(id: string): Promise<BatchView> {
    const json = await this.request('GET', `/v1/batches/${encodeURIComponent(id)}`);
    return parseAnswer(BatchView, json, 'GET /v1/batches/{id}');
  }

  /** Releases one page of a batch's drafts (`POST /v1/batches/{id}/submit`). */
  async releaseBatch(id: string, cursor?: string): Promise<z.infer<typeof ReleasePage>> {
    const json = await this.request('POST', `/v1/batches/${encodeURIComponent(id)}/submit`, cursor ? { cursor } : {});
    return parseAnswer(ReleasePage, json, 'POST /v1/batches/{id}/submit');
  }

  /** The newest `limit` batches of the tenant (one page). */
  async listBatches(limit: number): Promise<{ items: BatchView[]; nextCursor?: string }> {
    const json = await this.request('GET', `/v1/batches?limit=${limit}`);
    return parseAnswer(BatchPage, json, 'GET /v1/batches');
  }

  /** The report's CSV: the API answers with a presigned link, which is fetched without the API key. */
  async downloadReport(id: string): Promise<Buffer> {
    const json = await this.request('GET', `/v1/batches/${encodeURIComponent(id)}/report`);
    const link = parseAnswer(ReportLink, json, 'GET /v1/batches/{id}/report');
    const response = await this.send(link.url, { method: 'GET' }, this.uploadTimeoutMs, 'the report download');
    if (!response.ok) throw new ApiError(response.status, `Downloading the report failed: HTTP ${response.status}.`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** Declares a shared evidence file (uploaded once, referenced by id from the `evidence` column of any row). */
  async createSharedEvidence(input: { kind: string; contentType: string; contentLength: number }): Promise<CreatedEvidence> {
    const json = await this.request('POST', '/v1/batch-evidence', input);
    return parseAnswer(CreatedEvidence, json, 'POST /v1/batch-evidence');
  }

  async getSharedEvidence(id: string): Promise<SharedEvidenceView> {
    const json = await this.request('GET', `/v1/batch-evidence/${encodeURIComponent(id)}`);
    return parseAnswer(SharedEvidenceView, json, 'GET /v1/batch-evidence/{id}');
  }

  /** PUTs the manifest to the presigned URL with exactly the headers it was signed for. */
  async upload(target: UploadTarget, body: Uint8Array, what = 'the manifest'): Promise<void> {
    // fetch derives Content-Length from the body; a copy in the headers could only disagree with it.
    const { 'content-length': _length, ...signed } = target.headers;
    const headers = { 'content-type': 'text/csv', ...signed };
    const response = await this.send(target.uploadUrl, { method: target.method, headers, body }, this.uploadTimeoutMs, 'the upload');
    if (!response.ok) {
      // S3 answers XML: its <Code> says enough (SignatureDoesNotMatch, AccessDenied when the URL has expired, …).
      const text = await response.text().catch(() => '');
      const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
      throw new ApiError(response.status, `Uploading ${what} failed: HTTP ${response.status}${code ? ` ${code}` : ''}.`);
    }
  }

  private async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> {
    const response = await this.send(
      `${this.baseUrl}${path}`,
      {
        method,
        headers: {
          authorization: `Bearer ${this.apiKey}`,
          accept: 'application/json, application/problem+json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      this.timeoutMs,
      this.baseUrl,
    );
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!response.ok) throw apiError(response.status, `${method} ${path}`, json);
    if (json === undefined) throw new CliError(`${method} ${path} answered ${response.status} without a JSON body.`);
    return json;
  }

  private async send(url: string, init: RequestInit, timeoutMs: number, what: string): Promise<Response> {
    try {
      return await this.fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new UnreachableError(`Cannot reach ${what}: ${describeNetworkError(error)}.`, { cause: error });
    }
  }
}

function apiError(status: number, request: string, json: unknown): ApiError {
  const problem = json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : undefined;
  const title = typeof problem?.title === 'string' ? problem.title : undefined;
  const detail = typeof problem?.detail === 'string' ? problem.detail : undefined;
  const text = [title, detail].filter(Boolean).join(': ') || 'no details';
  return new ApiError(status, `${request} failed with ${status}: ${text}`, problem);
}

function parseAnswer<S extends z.ZodType>(schema: S, json: unknown, request: string): z.infer<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`${request} answered something this client does not understand (${issue?.path.join('.') || '(body)'}: ${issue?.message}).`);
  }
  return parsed.data;
}

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
};

/** `fetch failed` says nothing; the cause (ECONNREFUSED, ENOTFOUND, a timeout) does. */
function describeNetworkError(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no answer in time';
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return NETWORK_CODES[cause.code] ? `${NETWORK_CODES[cause.code]} (${cause.code})` : cause.code;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
