import createClient, { type Client } from 'openapi-fetch';
import type {
  ApiKeyList,
  Application,
  ApplicationCorrection,
  ApplicationDetail,
  ApplicationInput,
  ApplicationList,
  BatchList,
  BatchRelease,
  BatchView,
  CreatedBatch,
  Decision,
  EvidenceContentType,
  EvidenceKind,
  EvidenceUpload,
  EventType,
  FilingRecord,
  IssuedApiKey,
  paths,
  RegistryImportReport,
  RegistryImportRequest,
  RevokedApiKey,
  RotatedApiKey,
  SharedEvidence,
  SmsVerificationNotice,
  UploadTarget,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookDeliveryList,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
} from './api-types.ts';
import { ApiError, UnexpectedAnswerError, UnreachableError } from './errors.ts';

export type { BatchView, CreatedBatch, UploadTarget };

export interface ApiClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** Per request; uploads and the report's download get `uploadTimeoutMs`. */
  timeoutMs?: number;
  uploadTimeoutMs?: number;
}

/** A page of a list: how many, and where the previous page stopped. */
export interface PageQuery {
  limit?: number;
  cursor?: string;
}

/** What is declared of a file before its presigned upload: the URL is bound to this type and size. */
export interface FileDeclaration {
  kind: EvidenceKind;
  contentType: EvidenceContentType;
  contentLength: number;
}

/**
 * The icp-cancel API as the command-line client uses it: openapi-fetch typed by the paths generated from
 * `openapi.json`, so every path, parameter, body and answer is the document's. Every failure is a `CliError` with a
 * message fit for one line: `ApiError` for an error status (with the problem's field errors), `UnreachableError` when
 * no answer came, `UnexpectedAnswerError` for a success that is not a JSON object.
 */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly uploadTimeoutMs: number;
  private readonly api: Client<paths>;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.uploadTimeoutMs = options.uploadTimeoutMs ?? 600_000;
    this.api = createClient<paths>({
      baseUrl: this.baseUrl,
      headers: { authorization: `Bearer ${options.apiKey}`, accept: 'application/json, application/problem+json' },
      fetch: (request) => this.transport(request),
    });
  }

  // Applications

  /** A draft; the same key with the same body answers the application it made (`Idempotent-Replayed`). */
  async createApplication(body: ApplicationInput, idempotencyKey: string): Promise<{ application: Application; replayed: boolean }> {
    const answer = this.api.POST('/v1/applications', { body, params: { header: { 'Idempotency-Key': idempotencyKey } } });
    const application = await ok(answer);
    return { application, replayed: (await answer).response.headers.get('idempotent-replayed') === 'true' };
  }

  async getApplication(id: string): Promise<ApplicationDetail> {
    return ok(this.api.GET('/v1/applications/{id}', { params: { path: { id } } }));
  }

  /** One page of the tenant's applications, newest first; `batchId` lists one batch's. */
  async listApplications(
    query: PageQuery & { batchId?: string; status?: string; filingNumber?: string; customerRef?: string; order?: 'newest' | 'oldest' },
  ): Promise<ApplicationList> {
    return ok(this.api.GET('/v1/applications', { params: { query } }));
  }

  /** Declares an application's evidence file; the answer is the presigned PUT. */
  async createEvidenceUpload(id: string, body: FileDeclaration): Promise<EvidenceUpload> {
    return ok(this.api.POST('/v1/applications/{id}/evidence', { params: { path: { id } }, body }));
  }

  async submitApplication(id: string): Promise<Application> {
    return ok(this.api.POST('/v1/applications/{id}/submit', { params: { path: { id } }, body: {} }));
  }

  async resubmitApplication(id: string, corrections: ApplicationCorrection): Promise<Application> {
    return ok(this.api.POST('/v1/applications/{id}/resubmit', { params: { path: { id } }, body: corrections }));
  }

  async withdrawApplication(id: string): Promise<Application> {
    return ok(this.api.POST('/v1/applications/{id}/withdraw', { params: { path: { id } }, body: {} }));
  }

  // Reviews (operator key)

  async recordDecision(id: string, decision: Decision): Promise<Application> {
    return ok(this.api.POST('/v1/reviews/{id}/decision', { params: { path: { id } }, body: decision }));
  }

  async recordSmsVerification(id: string, notice: SmsVerificationNotice): Promise<Application> {
    return ok(this.api.POST('/v1/reviews/{id}/verification', { params: { path: { id } }, body: notice }));
  }

  // Webhooks

  async createWebhookEndpoint(body: { url: string; eventTypes?: EventType[] }): Promise<WebhookEndpointWithSecret> {
    return ok(this.api.POST('/v1/webhook-endpoints', { body }));
  }

  async listWebhookEndpoints(): Promise<WebhookEndpointList> {
    return ok(this.api.GET('/v1/webhook-endpoints'));
  }

  async rotateWebhookSecret(id: string): Promise<WebhookEndpointWithSecret> {
    return ok(this.api.POST('/v1/webhook-endpoints/{id}/rotate-secret', { params: { path: { id } }, body: {} }));
  }

  async listWebhookDeliveries(endpointId: string, query: PageQuery): Promise<WebhookDeliveryList> {
    return ok(this.api.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpointId }, query } }));
  }

  async getWebhookDelivery(id: string): Promise<WebhookDeliveryDetail> {
    return ok(this.api.GET('/v1/webhook-deliveries/{id}', { params: { path: { id } } }));
  }

  async redeliverWebhook(id: string): Promise<WebhookDelivery> {
    return ok(this.api.POST('/v1/webhook-deliveries/{id}/redeliver', { params: { path: { id } }, body: {} }));
  }

  // Filing registry

  /** Imports filing records: JSON `{ records }`, or a CSV file sent as it is (`text/csv`). */
  async importRegistry(body: { json: RegistryImportRequest } | { csv: string }): Promise<RegistryImportReport> {
    if ('json' in body) return ok(this.api.POST('/v1/filing-registry', { body: body.json }));
    return ok(
      this.api.POST('/v1/filing-registry', {
        body: body.csv as unknown as RegistryImportRequest,
        headers: { 'content-type': 'text/csv; charset=utf-8' },
        // The CSV goes as it is: openapi-fetch would JSON-encode it.
        bodySerializer: (csv) => csv as unknown as string,
      }),
    );
  }

  async getFilingRecord(filingNumber: string): Promise<FilingRecord> {
    return ok(this.api.GET('/v1/filing-registry/{filingNumber}', { params: { path: { filingNumber } } }));
  }

  // API keys (the tenant's own agency keys)

  async listApiKeys(): Promise<ApiKeyList> {
    return ok(this.api.GET('/v1/api-keys'));
  }

  /** A new agency key, with `key` this once (a replay of the idempotency key answers it without). */
  async createApiKey(body: { name?: string }, idempotencyKey?: string): Promise<IssuedApiKey> {
    return ok(this.api.POST('/v1/api-keys', { body, ...(idempotencyKey ? { params: { header: { 'Idempotency-Key': idempotencyKey } } } : {}) }));
  }

  async revokeApiKey(id: string): Promise<RevokedApiKey> {
    return ok(this.api.POST('/v1/api-keys/{id}/revoke', { params: { path: { id } }, body: {} }));
  }

  async rotateApiKey(id: string, body: { overlapSeconds?: number }, idempotencyKey?: string): Promise<RotatedApiKey> {
    const header = idempotencyKey ? { header: { 'Idempotency-Key': idempotencyKey } } : {};
    return ok(this.api.POST('/v1/api-keys/{id}/rotate', { params: { path: { id }, ...header }, body }));
  }

  // Batches

  /** Creates a CSV batch; the answer carries the presigned upload (or none when the key replays a finished one). */
  async createCsvBatch(options: { hold: boolean; idempotencyKey: string }): Promise<CreatedBatch> {
    const body = { format: 'csv' as const, ...(options.hold ? { hold: true } : {}) };
    return ok(this.api.POST('/v1/batches', { body, params: { header: { 'Idempotency-Key': options.idempotencyKey } } }));
  }

  async getBatch(id: string): Promise<BatchView> {
    return ok(this.api.GET('/v1/batches/{id}', { params: { path: { id } } }));
  }

  /** Releases one page of a batch's drafts (`POST /v1/batches/{id}/submit`). */
  async releaseBatch(id: string, cursor?: string): Promise<BatchRelease> {
    return ok(this.api.POST('/v1/batches/{id}/submit', { params: { path: { id } }, body: cursor ? { cursor } : {} }));
  }

  /** One page of the tenant's batches, newest first. */
  async listBatches(query: PageQuery): Promise<BatchList> {
    return ok(this.api.GET('/v1/batches', { params: { query } }));
  }

  /** The report's CSV: the API answers with a presigned link, which is fetched without the API key. */
  async downloadReport(id: string): Promise<Buffer> {
    const link = await ok(this.api.GET('/v1/batches/{id}/report', { params: { path: { id } } }));
    const response = await this.send(link.url, { method: 'GET' }, this.uploadTimeoutMs, 'the report download');
    if (!response.ok) throw new ApiError(response.status, `Downloading the report failed: HTTP ${response.status}.`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** Declares a shared evidence file (uploaded once, referenced by id from the `evidence` column of any row). */
  async createSharedEvidence(body: FileDeclaration): Promise<EvidenceUpload> {
    return ok(this.api.POST('/v1/batch-evidence', { body }));
  }

  async getSharedEvidence(id: string): Promise<SharedEvidence> {
    return ok(this.api.GET('/v1/batch-evidence/{id}', { params: { path: { id } } }));
  }

  /** PUTs a file to a presigned URL with exactly the headers it was signed for, and no API key. */
  async upload(target: UploadTarget, body: Uint8Array, what = 'the manifest', contentType = 'text/csv'): Promise<void> {
    // fetch derives Content-Length from the body; a copy in the headers could only disagree with it.
    const { 'content-length': _length, ...signed } = target.headers;
    const headers = { 'content-type': contentType, ...signed };
    const response = await this.send(target.uploadUrl, { method: target.method, headers, body }, this.uploadTimeoutMs, 'the upload');
    if (!response.ok) {
      // S3 answers XML: its <Code> says enough (SignatureDoesNotMatch, AccessDenied when the URL has expired, …).
      const text = await response.text().catch(() => '');
      const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
      throw new ApiError(response.status, `Uploading ${what} failed: HTTP ${response.status}${code ? ` ${code}` : ''}.`);
    }
  }

  /**
   * openapi-fetch's fetch: an error status becomes an `ApiError` named after the request (`GET /v1/batches/bat_1`),
   * and a success must be a JSON object, so that what the typed methods return is what their types say it is.
   */
  private async transport(request: Request): Promise<Response> {
    const what = `${request.method} ${decodeURI(new URL(request.url).pathname)}`;
    const response = await this.send(request, {}, this.timeoutMs, this.baseUrl);
    const text = await response.text();
    const json = parseJson(text);
    if (!response.ok) throw apiError(response.status, what, json);
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new UnexpectedAnswerError(`${what} answered ${response.status} with ${text === '' ? 'no body' : 'something that is not a JSON object'}: is ${this.baseUrl} the icp-cancel API?`);
    }
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  private async send(input: string | Request, init: RequestInit, timeoutMs: number, what: string): Promise<Response> {
    try {
      return await this.fetch(input, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new UnreachableError(`Cannot reach ${what}: ${describeNetworkError(error)}.`, { cause: error });
    }
  }
}

/** The data of an openapi-fetch answer: the transport has thrown for anything else. */
async function ok<T>(answer: Promise<{ data?: T; response: Response }>): Promise<T> {
  const { data, response } = await answer;
  if (data === undefined) throw new UnexpectedAnswerError(`${response.url} answered ${response.status} without a body.`);
  return data;
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function apiError(status: number, request: string, json: unknown): ApiError {
  const problem = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  const title = typeof problem?.title === 'string' ? problem.title : undefined;
  const detail = typeof problem?.detail === 'string' ? problem.detail : undefined;
  // API Gateway's own refusals (413 before any function runs) are `{ "message": … }`.
  const message = typeof problem?.message === 'string' ? problem.message : undefined;
  const text = [title, detail].filter(Boolean).join(': ') || message || 'no details';
  return new ApiError(status, `${request} failed with ${status}: ${text}`, problem);
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
