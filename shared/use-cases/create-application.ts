import { createHash } from 'node:crypto';
import type { ApplicationInput } from '../domain/application.ts';
import { ConflictError } from '../domain/errors.ts';
import { requiredEvidence } from '../domain/evidence-matrix.ts';
import type { Application, Principal } from '../domain/records.ts';
import { eventFor } from '../domain/status-change.ts';
import { METRIC_NAMES } from '../observability/metric-names.ts';
import type { Deps } from '../ports/deps.ts';
import { loadOwnedApplication } from './load-owned-application.ts';
import { assertValidApplication, validateApplication } from './validate-application.ts';

export interface CreateApplicationResult {
  app: Application;
  /** False when an earlier request with the same Idempotency-Key and body already created it. */
  created: boolean;
}

/**
 * Records a new cancellation application as a draft.
 *
 * Primary course:
 * 1. With an Idempotency-Key already used by this tenant: same body → the application it created; other body → 409.
 * 2. Validate it against the ICP rules (`validateApplication`): 400 for field errors and kind rules, 422 for
 *    mismatches with the tenant's filing registry; identifiers are stored in canonical form, warnings with the draft.
 * 3. Work out the evidence the application needs (evidence matrix, under the agency's evidence policy).
 * 4. Write, in one transaction, the draft (which is also its timeline's creation entry), the `application.created`
 *    event, the filing's open-order guard (one open order per canonical filing number: a second → 409 naming the open application) and
 *    the idempotency record.
 * 5. Count it (`ApplicationsCreated`; a replay counts nothing).
 */
export async function createApplication(
  deps: Pick<Deps, 'applications' | 'registry' | 'clock' | 'ids' | 'settings' | 'metrics'>,
  principal: Principal,
  input: ApplicationInput,
  options: { idempotencyKey?: string; batchId?: string } = {},
): Promise<CreateApplicationResult> {
  const requestHash = createHash('sha256').update(canonicalJson(input)).digest('hex');
  if (options.idempotencyKey) {
    const seen = await deps.applications.findIdempotency(principal.tenantId, options.idempotencyKey);
    if (seen) return replay(deps, principal, seen.requestHash, requestHash, seen.applicationId);
  }
  const validation = await validateApplication(deps, principal.tenantId, input);
  assertValidApplication(validation);
  const canonical = validation.input;
  const at = deps.clock.now().toISOString();
  const app: Application = {
    ...canonical,
    id: deps.ids.next('app'),
    tenantId: principal.tenantId,
    status: 'draft',
    attempt: 1,
    sequence: 1,
    version: 1,
    requiredEvidence: requiredEvidence(canonical, deps.settings.evidencePolicy),
    rejectionReasons: [],
    warnings: validation.warnings,
    workflowRuns: 0,
    ...(options.batchId ? { batchId: options.batchId } : {}),
    createdAt: at,
    updatedAt: at,
  };
  try {
    await deps.applications.create({
      app,
      outbox: eventFor(app, 'application.created', deps.ids.next('evt'), at),
      ...(options.idempotencyKey
        ? { idempotency: { tenantId: principal.tenantId, key: options.idempotencyKey, requestHash, applicationId: app.id } }
        : {}),
    });
  } catch (error) {
    // A concurrent request with the same key won the race: answer as its replay.
    if (error instanceof ConflictError && options.idempotencyKey) {
      const seen = await deps.applications.findIdempotency(principal.tenantId, options.idempotencyKey);
      if (seen) return replay(deps, principal, seen.requestHash, requestHash, seen.applicationId);
    }
    throw error;
  }
  deps.metrics.count(METRIC_NAMES.applicationsCreated);
  return { app, created: true };
}

async function replay(
  deps: Pick<Deps, 'applications'>,
  principal: Principal,
  storedHash: string,
  requestHash: string,
  applicationId: string,
): Promise<CreateApplicationResult> {
  if (storedHash !== requestHash) {
    throw new ConflictError('This Idempotency-Key was already used with a different body.', {
      errors: [
        {
          path: '(headers).idempotency-key',
          code: 'idempotency_key_reused',
          message: 'Use a new Idempotency-Key for a different request, or resend exactly the same body.',
        },
      ],
    });
  }
  return { app: await loadOwnedApplication(deps, principal.tenantId, applicationId), created: false };
}

/** JSON with object keys sorted, so the same body hashes the same whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
