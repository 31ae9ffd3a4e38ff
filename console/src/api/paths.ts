/**
 * The API operations the console calls, in the shape openapi-typescript generates (`paths`), so that the client
 * (`client.ts`, openapi-fetch) is typed the same way before and after the switch to the types generated from
 * `openapi.json`. Until that document exists, the shapes come from the API's own view functions (type imports only:
 * nothing of the server is bundled).
 */
import type { ApplicationView as ApplicationSummary } from '../../../shared/use-cases/application-view.ts';
import type { CorrectionInput } from '../../../shared/domain/application.ts';
import type { BatchView } from '../../../shared/domain/batch.ts';
import type { Decision, DeliveryAttempt, EventType, TimelineEntry } from '../../../shared/domain/records.ts';
import type { deliveryView } from '../../../shared/use-cases/webhooks/deliveries.ts';
import type { endpointView } from '../../../shared/use-cases/webhooks/manage-endpoints.ts';
import type { EvidenceUploadInput } from '../../../shared/use-cases/create-evidence-upload.ts';

export type { BatchView, EventType };

/** An application as `GET /v1/applications/{id}` shows it (the list shows it without evidence and timeline). */
export type ApplicationView = ApplicationSummary & {
  missingEvidence?: string[];
  evidence?: {
    evidenceId: string;
    kind: string;
    contentType: string;
    contentLength: number;
    status: 'pending_upload' | 'accepted' | 'rejected';
    sha256?: string;
    rejectionReason?: string;
    rejectionCode?: string;
    createdAt: string;
    checkedAt?: string;
    shared?: true;
  }[];
  timeline?: TimelineEntry[];
};
export type DeliveryView = ReturnType<typeof deliveryView>;
export type DeliveryDetail = DeliveryView & { attemptLog: DeliveryAttempt[] };
export type EndpointView = ReturnType<typeof endpointView>;

/** RFC 9457 problem details, as every error of the API is answered. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: { path: string; code: string; message: string }[];
  [extension: string]: unknown;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface PresignedUpload {
  uploadUrl: string;
  method: string;
  headers: Record<string, string>;
  expiresAt: string;
}

interface Json<T> {
  headers: { [name: string]: unknown };
  content: { 'application/json': T };
}
interface Errors {
  default: { headers: { [name: string]: unknown }; content: { 'application/problem+json': Problem } };
}
type Operation<Params, Responses, Body = never> = {
  parameters: Params & { header?: { 'idempotency-key'?: string }; cookie?: never };
  responses: Responses & Errors;
} & ([Body] extends [never] ? { requestBody?: never } : { requestBody: { content: { 'application/json': Body } } });
type Id = { path: { id: string }; query?: never };
type NoParams = { path?: never; query?: never };

export interface paths {
  '/v1/applications': {
    get: Operation<{ path?: never; query?: { limit?: number; cursor?: string; batchId?: string } }, { 200: Json<Page<ApplicationView>> }>;
  };
  '/v1/applications/{id}': { get: Operation<Id, { 200: Json<ApplicationView> }> };
  '/v1/applications/{id}/evidence': {
    post: Operation<Id, { 201: Json<PresignedUpload & { evidenceId: string }> }, EvidenceUploadInput>;
  };
  '/v1/applications/{id}/submit': { post: Operation<Id, { 202: Json<ApplicationView> }> };
  '/v1/applications/{id}/resubmit': { post: Operation<Id, { 202: Json<ApplicationView> }, CorrectionInput> };
  '/v1/applications/{id}/withdraw': { post: Operation<Id, { 200: Json<ApplicationView> }> };
  '/v1/reviews/{id}/decision': { post: Operation<Id, { 202: Json<unknown> }, Decision> };
  '/v1/reviews/{id}/verification': { post: Operation<Id, { 202: Json<unknown> }, { sentAt?: string }> };
  '/v1/webhook-endpoints': {
    get: Operation<NoParams, { 200: Json<{ items: EndpointView[] }> }>;
    post: Operation<NoParams, { 201: Json<EndpointView & { secret: string }> }, { url: string; eventTypes?: EventType[] }>;
  };
  '/v1/webhook-endpoints/{id}/rotate-secret': { post: Operation<Id, { 200: Json<EndpointView & { secret: string }> }> };
  '/v1/webhook-endpoints/{id}/deliveries': {
    get: Operation<{ path: { id: string }; query?: { limit?: number; cursor?: string } }, { 200: Json<Page<DeliveryView>> }>;
  };
  '/v1/webhook-deliveries/{id}': { get: Operation<Id, { 200: Json<DeliveryDetail> }> };
  '/v1/webhook-deliveries/{id}/redeliver': { post: Operation<Id, { 202: Json<DeliveryView> }> };
  '/v1/batches': {
    get: Operation<{ path?: never; query?: { limit?: number; cursor?: string } }, { 200: Json<Page<BatchView>> }>;
    post: Operation<NoParams, { 201: Json<BatchView & { upload: PresignedUpload }> }, { format: 'csv'; submit?: 'immediately' | 'hold' }>;
  };
  '/v1/batches/{id}': { get: Operation<Id, { 200: Json<BatchView> }> };
  '/v1/batches/{id}/submit': {
    post: Operation<Id, { 200: Json<{ batchId: string; submitted: number; waiting: number; skipped: number; nextCursor?: string }> }, { cursor?: string }>;
  };
  '/v1/batches/{id}/report': { get: Operation<Id, { 200: Json<{ url: string; expiresAt: string; rows: number }> }> };
}
