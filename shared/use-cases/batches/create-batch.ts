import { createHash } from 'node:crypto';
import { type Batch, type BatchCounts, type CreateBatchInput, submitModeOf } from '../../domain/batch.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import type { Principal } from '../../domain/records.ts';
import type { BatchDeps } from '../../ports/batch-services.ts';
import type { Deps } from '../../ports/deps.ts';
import { canonicalJson } from '../create-application.ts';
import { batchObjectKeys, ingestionRunName } from './batch-keys.ts';

type CreateDeps = Pick<Deps, 'clock' | 'ids'> & Pick<BatchDeps, 'batches' | 'batchFiles' | 'ingestion' | 'batchSettings'>;

/** Where to PUT the manifest: a presigned URL and the headers it was signed with. */
export interface ManifestUpload {
  uploadUrl: string;
  method: 'PUT';
  headers: Record<string, string>;
  expiresAt: string;
}

export interface CreateBatchResult {
  batch: Batch;
  counts: BatchCounts;
  /** False when an earlier request with the same Idempotency-Key and body created it. */
  created: boolean;
  /** For a CSV batch still waiting for its manifest (also on a replay, with a fresh URL). */
  upload?: ManifestUpload;
}

export const MANIFEST_CONTENT_TYPE = 'text/csv';

/**
 * Creates a batch.
 *
 * Primary course:
 * 1. With an Idempotency-Key already used by this tenant: same body → the batch it created (a CSV batch still waiting
 *    gets a fresh upload URL; an inline batch whose ingestion never started is started); other body → 409.
 * 2. Inline items: store them as one object, record the batch (`ingesting`, with the idempotency record) and start
 *    its ingestion. Nothing is validated here: every row is validated on its own during ingestion.
 * 3. `format: "csv"`: record the batch (`awaiting_upload`) and presign a PUT of its manifest; the upload starts the
 *    ingestion (`manifestUploaded`).
 */
export async function createBatch(
  deps: CreateDeps,
  principal: Principal,
  input: CreateBatchInput,
  options: { idempotencyKey?: string } = {},
): Promise<CreateBatchResult> {
  const submit = submitModeOf(input);
  if (!submit) {
    throw new ValidationError('submit and hold disagree.', {
      errors: [{ path: 'hold', code: 'conflicting_options', message: 'Send either submit ("immediately" or "hold") or hold (true or false), or make them agree.' }],
    });
  }
  const requestHash = createHash('sha256').update(canonicalJson({ ...input, submit, hold: undefined })).digest('hex');
  const { idempotencyKey } = options;
  if (idempotencyKey) {
    const seen = await deps.batches.findIdempotency(principal.tenantId, idempotencyKey);
    if (seen) return replay(deps, principal, seen, requestHash);
  }

  const now = deps.clock.now();
  const at = now.toISOString();
  const id = deps.ids.next('bat');
  const inline = 'items' in input;
  const batch: Batch = {
    id,
    tenantId: principal.tenantId,
    status: inline ? 'ingesting' : 'awaiting_upload',
    source: inline ? 'inline' : 'csv',
    submit,
    inputKey: inline ? batchObjectKeys.items(principal.tenantId, id) : batchObjectKeys.manifest(principal.tenantId, id),
    ...(inline ? { rowsTotal: input.items.length } : {}),
    cursor: { rows: 0, byte: 0, chunks: 0, done: false },
    rowsRefused: 0,
    reportBytes: 0,
    ingestRuns: inline ? 1 : 0,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  // The items first: a batch record never points at rows that are not there.
  if (inline) await deps.batchFiles.put(batch.inputKey, JSON.stringify(input.items), 'application/json');
  try {
    await deps.batches.create({ batch, ...(idempotencyKey ? { idempotency: { key: idempotencyKey, requestHash } } : {}) });
  } catch (error) {
    // A concurrent request with the same key won the race: answer as its replay.
    if (error instanceof ConflictError && idempotencyKey) {
      const seen = await deps.batches.findIdempotency(principal.tenantId, idempotencyKey);
      if (seen) return replay(deps, principal, seen, requestHash);
    }
    throw error;
  }
  if (inline) {
    await deps.ingestion.start({ batchId: id, tenantId: batch.tenantId, name: ingestionRunName(batch) });
    return { batch, counts: {}, created: true };
  }
  return { batch, counts: {}, created: true, upload: await manifestUpload(deps, batch) };
}

async function replay(
  deps: CreateDeps,
  principal: Principal,
  seen: { batchId: string; requestHash: string },
  requestHash: string,
): Promise<CreateBatchResult> {
  if (seen.requestHash !== requestHash) {
    throw new ConflictError('This Idempotency-Key was already used with a different body.', {
      errors: [
        {
          path: '(headers).idempotency-key',
          code: 'idempotency_key_reused',
          message: 'Use a new Idempotency-Key for a different batch, or resend exactly the same body.',
        },
      ],
    });
  }
  const batch = await deps.batches.get(seen.batchId);
  if (!batch || batch.tenantId !== principal.tenantId) throw new NotFoundError(`No batch ${seen.batchId}.`);
  // A crash between recording an inline batch and starting it leaves it waiting: starting the same run joins it.
  if (batch.status === 'ingesting') await deps.ingestion.start({ batchId: batch.id, tenantId: batch.tenantId, name: ingestionRunName(batch) });
  const counts = await deps.batches.counts(batch.id);
  return {
    batch,
    counts,
    created: false,
    ...(batch.status === 'awaiting_upload' ? { upload: await manifestUpload(deps, batch) } : {}),
  };
}

async function manifestUpload(deps: CreateDeps, batch: Batch): Promise<ManifestUpload> {
  const ttl = deps.batchSettings.urlTtlSeconds;
  return {
    uploadUrl: await deps.batchFiles.presignUpload({ key: batch.inputKey, contentType: MANIFEST_CONTENT_TYPE, expiresInSeconds: ttl }),
    method: 'PUT',
    headers: { 'content-type': MANIFEST_CONTENT_TYPE },
    expiresAt: new Date(deps.clock.now().getTime() + ttl * 1000).toISOString(),
  };
}
