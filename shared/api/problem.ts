import { ApplicationStatus } from '../domain/application.ts';
import { BatchStatus } from '../domain/batch.ts';
import { EvidenceKind } from '../domain/evidence-matrix.ts';
import { ApplicationWarning, EvidenceStatus } from '../domain/records.ts';
import * as z from '../zod.ts';

/**
 * What the API answers when it refuses a request: RFC 9457 problem+json, as `problem()` in
 * `shared/http/api-gateway.ts` writes it for every `AppError` (and, without detail, for anything else). The extension
 * members are those the use cases set (`AppErrorOptions.extensions`); a new one must be added here, or the contract
 * tests fail on the first answer that carries it.
 */

/** One field-level problem (`FieldError`). */
export const FieldError = z.strictObject({
  path: z.string().check(z.describe('Where: a dotted path into the body (`subject.creditCode`, `items.3.domains.0`), or `(headers).name`, `(path).name`, `(body)`, `(route)`.')),
  code: z.string().check(z.describe('The rule broken, stable and machine-readable (`invalid_check_character`, `unknown_field`, `too_long`).')),
  message: z.string().check(z.describe('What is wrong and how to fix it, for a person.')),
  registryValue: z.optional(z.union([z.string(), z.array(z.string())]).check(z.describe('`registry_mismatch`: what the tenant\'s filing registry has.'))),
  submittedValue: z.optional(z.string().check(z.describe('`registry_mismatch`: what the request said.'))),
});

export const Problem = z.strictObject({
  type: z.url().check(z.describe('`https://icp-cancel.dev/problems/<slug>`: validation-failed, unauthorized, forbidden, not-found, conflict, payload-too-large, unsupported-media-type, unprocessable, temporarily-unavailable, internal.')),
  title: z.string(),
  status: z.number().check(z.int(), z.minimum(400), z.maximum(599), z.describe('The HTTP status code, always.')),
  detail: z.string(),
  instance: z.string().check(z.describe('The request path.')),
  errors: z.array(FieldError),
  applicationStatus: z.optional(ApplicationStatus.check(z.describe('A 409 about an application\'s state names that state.'))),
  batchStatus: z.optional(BatchStatus.check(z.describe('A 409 about a batch\'s state names that state.'))),
  evidenceStatus: z.optional(EvidenceStatus.check(z.describe('A 409 about an evidence file\'s state names that state (`pending_upload`: nothing to view yet).'))),
  openApplicationId: z.optional(z.string().check(z.describe('A 409 for a filing that already has an open order: that order\'s application.'))),
  missingEvidence: z.optional(z.array(EvidenceKind).check(z.describe('A 422 submission: the evidence kinds still lacking an accepted file.'))),
  warnings: z.optional(z.array(ApplicationWarning).check(z.describe('An application refused for its errors: what it would also have been warned about.'))),
  outcome: z.optional(z.enum(['approved', 'rejected']).check(z.describe('A 409 decision: the one already recorded for this review.'))),
  rejectionCodes: z.optional(z.array(z.string()).check(z.describe('A 400 decision with an unknown reason code: the codes the catalogue knows.'))),
});

/**
 * What API Gateway answers itself, not problem+json: a body over its 10 MiB (`Request Entity Too Large`) or an event
 * over Lambda's 6 MiB payload limit (`Request Too Long`), its stage throttle (429 `Too Many Requests`), a function that
 * failed or timed out (500 `Internal Server Error`); the local runtime answers the 413s and the 500 the same way.
 */
export const GatewayMessage = z.strictObject({ message: z.string() });
