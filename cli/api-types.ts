/**
 * The API as the command-line client sees it: `paths` and the schemas generated from the repository's `openapi.json`
 * by openapi-typescript (`npm run api:types`, into `openapi.gen.ts`, not committed: made again before every type
 * check, so the client is always checked against the current document). Type imports only: the CLI runs without the
 * generated file.
 */
import type { components, paths } from './openapi.gen.ts';

export type { paths };
type Schemas = components['schemas'];

export type ApplicationInput = Schemas['ApplicationInput'];
export type ApplicationCorrection = Schemas['ApplicationCorrection'];
/** An application as listed and as actions answer it. */
export type Application = Schemas['Application'];
/** An application with its evidence, missing evidence and timeline (`GET /v1/applications/{id}`). */
export type ApplicationDetail = Schemas['ApplicationDetail'];
export type ApplicationStatus = Schemas['ApplicationStatus'];
export type ApplicationList = Schemas['ApplicationList'];
export type Evidence = Schemas['Evidence'];
export type EvidenceKind = Schemas['EvidenceKind'];
export type EvidenceContentType = Schemas['EvidenceContentType'];
/** A presigned PUT: an application's evidence, a shared file, a manifest. */
export type UploadTarget = Schemas['ManifestUpload'];
export type EvidenceUpload = Schemas['EvidenceUpload'];
export type SharedEvidence = Schemas['SharedEvidence'];
export type BatchView = Schemas['Batch'];
export type CreatedBatch = Schemas['BatchWithUpload'];
export type BatchList = Schemas['BatchList'];
export type BatchRelease = Schemas['BatchRelease'];
export type Decision = Schemas['Decision'];
export type RejectionReason = Schemas['RejectionReason'];
export type SmsVerificationNotice = Schemas['SmsVerificationNotice'];
export type EventType = Schemas['EventType'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookEndpointWithSecret = Schemas['WebhookEndpointWithSecret'];
export type WebhookEndpointList = Schemas['WebhookEndpointList'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type WebhookDeliveryDetail = Schemas['WebhookDeliveryDetail'];
export type WebhookDeliveryList = Schemas['WebhookDeliveryList'];
export type RegistryImportRequest = Schemas['RegistryImportRequest'];
export type RegistryImportReport = Schemas['RegistryImportReport'];
export type FilingRecord = Schemas['FilingRecord'];
export type Problem = Schemas['Problem'];
export type ApiKey = Schemas['ApiKey'];
export type ApiKeyList = Schemas['ApiKeyList'];
export type IssuedApiKey = Schemas['IssuedApiKey'];
export type RotatedApiKey = Schemas['RotatedApiKey'];
export type RevokedApiKey = Schemas['RevokedApiKey'];
