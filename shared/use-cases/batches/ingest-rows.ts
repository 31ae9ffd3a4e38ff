import { mapConcurrently } from '../../concurrency.ts';
import type { ApplicationInput } from '../../domain/application.ts';
import { type Batch, BatchItem, type RowOutcome, type SharedEvidence } from '../../domain/batch.ts';
import { columnOfPath } from '../../domain/batch-manifest.ts';
import { requiredEvidence } from '../../domain/evidence-matrix.ts';
import type { FieldError } from '../../domain/errors.ts';
import { log } from '../../log.ts';
import type { Application, ApplicationWarning } from '../../domain/records.ts';
import { METRIC_NAMES } from '../../observability/metric-names.ts';
import { changeStatus, eventFor } from '../../domain/status-change.ts';
import { fieldErrorsFromZod } from '../../http/zod-errors.ts';
import type { PlannedRow, RowWrite } from '../../ports/batch-repository.ts';
import type { BatchDeps } from '../../ports/batch-services.ts';
import { reviewExecution } from '../../ports/execution-starts.ts';
import type { Deps } from '../../ports/deps.ts';
import type { FilingRegistryRepository, StoredRegistryRecord } from '../../ports/filing-registry-repository.ts';
import { reviewRunName, SUBMISSION_DETAIL } from '../submit-application.ts';
import { filingCancelled } from '../../domain/kind-rules.ts';
import { validateApplication } from '../validate-application.ts';
import { reviewDeadlineFor } from '../workflow/review-timeouts.ts';
import { applicationIdFor, rowOfApplication } from './batch-keys.ts';
import type { SourceRow } from './read-rows.ts';

export type RowDeps = Pick<Deps, 'registry' | 'clock' | 'ids' | 'settings' | 'metrics'> & Pick<BatchDeps, 'batches'>;

/** Rows validated at once: the registry look-ups overlap. */
const VALIDATION_CONCURRENCY = 16;

interface CheckedRow {
  source: SourceRow;
  errors: FieldError[];
  input?: ApplicationInput;
  warnings?: ApplicationWarning[];
  evidence?: SharedEvidence[];
}

/**
 * Turns rows of a batch into applications, each on its own: a bad row is reported and never stops the others.
 *
 * Primary course:
 * 1. Each row is parsed like the body of `POST /v1/applications` and validated by the same `validateApplication`
 *    (identifiers, kind rules, the tenant's filing registry); every problem is reported with its path, code and
 *    message (for a CSV batch the path is the manifest's column).
 * 2. Shared evidence it references must be the tenant's and accepted.
 * 3. A filing repeated in the batch is refused on its later rows (`duplicate_in_batch`).
 * 4. Each good row is planned as its application (id derived from the batch and the row, so a row written twice is
 *    one application; the shared evidence it uses referenced by id): a draft, or — when the batch submits immediately and the shared evidence covers every kind
 *    required — submitted, with both events, exactly as a creation then a submission (its timeline's first two entries
 *    are read off the application: `submittedOnCreation`);
 *    a row of such a batch still missing files stays a draft marked `submitWhenComplete`, which the evidence check
 *    that completes it submits.
 * 5. The rows are written (many per transaction, each row all or nothing, the filing's open-order guard with it,
 *    and the request to start the reviews of the transaction's submitted rows); a filing with an open order elsewhere refuses its row
 *    (`order_in_progress`). Once written, a row and its review's start are durable: the reviews are started by the
 *    batch's drain at the system's pace (`ingestChunk`, then `startReviews`), not here.
 * 6. Counted: the applications this run wrote (`ApplicationsCreated`) and, of those, the ones written submitted
 *    (`ApplicationsSubmitted`). A row found already written was counted by the run that wrote it; a run that dies
 *    half-way through its writes counts nothing, so the rows it wrote are never counted (an undercount on a crash,
 *    never a double count). The chunk counts its rows (`ingestChunk`).
 *
 * Run again over the same rows (after a crash), it finds the applications already written and reports them as
 * created; their start requests were written with them.
 */
export async function ingestRows(deps: RowDeps, batch: Batch, rows: SourceRow[]): Promise<RowOutcome[]> {
  const now = deps.clock.now();
  const pathOf = (path: string) => (batch.source === 'csv' ? columnOfPath(path) : path);
  const registry = memoRegistry(deps.registry, await deps.batches.hasRegistryRecords(batch.tenantId));
  const sharedEvidence = new Map<string, Promise<SharedEvidence | undefined>>();
  const evidenceById = (id: string) => {
    let found = sharedEvidence.get(id);
    if (!found) sharedEvidence.set(id, (found = deps.batches.getSharedEvidence(batch.tenantId, id)));
    return found;
  };

  const started = performance.now();
  // 1–2. Each row on its own.
  const checked = await mapConcurrently(rows, VALIDATION_CONCURRENCY, async (source): Promise<CheckedRow> => {
    if (source.errors.length > 0 || source.item === undefined) return { source, errors: source.errors };
    const parsed = BatchItem.safeParse(source.item);
    if (!parsed.success) return { source, errors: fieldErrorsFromZod(parsed.error).map((e) => ({ ...e, path: pathOf(e.path) })) };
    const { evidence: evidenceIds = [], ...input } = parsed.data;
    const validation = await validateApplication({ registry, clock: deps.clock }, batch.tenantId, input);
    const errors: FieldError[] = validation.errors.map((e) => ({ path: pathOf(e.path), code: e.code, message: e.message }));
    const evidence: SharedEvidence[] = [];
    for (const [i, id] of [...new Set(evidenceIds)].entries()) {
      const found = await evidenceById(id);
      const path = pathOf(`evidence.${i}`);
      if (!found) errors.push({ path, code: 'unknown_evidence', message: `No shared evidence ${id}: upload it with POST /v1/batch-evidence first.` });
      else if (found.status === 'pending_upload') {
        errors.push({ path, code: 'evidence_not_ready', message: `Shared evidence ${id} has not been uploaded and checked yet; wait until it is accepted.` });
      } else if (found.status === 'rejected') {
        errors.push({ path, code: 'evidence_rejected', message: `Shared evidence ${id} was rejected: ${found.rejectionReason ?? 'see GET /v1/batch-evidence/' + id}` });
      } else evidence.push(found);
    }
    return { source, errors, input: validation.input, warnings: validation.warnings, evidence };
  });

  // 3. The first row of a filing wins; later rows of the same (canonical) filing number are duplicates.
  const firstRow = new Map<string, number>();
  for (const row of checked) {
    if (row.errors.length > 0 || !row.input) continue;
    const first = firstRow.get(row.input.filingNumber);
    if (first === undefined) firstRow.set(row.input.filingNumber, row.source.row);
    else row.errors.push(duplicateError(pathOf('filingNumber'), row.input.filingNumber, first));
  }

  const validated = performance.now();
  // 4–5.
  const planned = checked.filter((r) => r.errors.length === 0 && r.input).map((r) => plan(deps, batch, r, now));
  const writes = new Map((await deps.batches.writeRows(batch.id, planned)).map((write) => [write.row, write]));
  const written = performance.now();
  const plannedByRow = new Map(planned.map((p) => [p.row, p]));

  const outcomes: RowOutcome[] = checked.map((r): RowOutcome => {
    const filingNumber = r.input?.filingNumber ?? r.source.filingNumber;
    const write = writes.get(r.source.row);
    const app = plannedByRow.get(r.source.row)?.app;
    if (!write || !app) return { row: r.source.row, filingNumber, outcome: 'refused', errors: r.errors };
    if (write.result === 'filing_cancelled') {
      return { row: r.source.row, filingNumber, outcome: 'refused', errors: [filingCancelledError(pathOf('filingNumber'), filingNumber, write.cancelledAt)] };
    }
    if (write.result === 'filing_taken') {
      const holderRow = write.holderId ? rowOfApplication(batch.id, write.holderId) : undefined;
      return {
        row: r.source.row,
        filingNumber,
        outcome: 'refused',
        errors: [holderRow === undefined ? orderInProgress(pathOf('filingNumber'), filingNumber, write.holderId) : duplicateError(pathOf('filingNumber'), filingNumber, holderRow)],
      };
    }
    return { row: r.source.row, filingNumber, outcome: 'created', applicationId: app.id, status: app.status, warnings: (r.warnings ?? []).map((w) => w.code) };
  });

  // 6.
  const created = planned.filter((p) => writes.get(p.row)?.result === 'written');
  deps.metrics.count(METRIC_NAMES.applicationsCreated, created.length);
  deps.metrics.count(METRIC_NAMES.applicationsSubmitted, created.filter((p) => p.app.status === 'submitted').length);
  log.info('batch rows ingested', {
    batchId: batch.id,
    rows: rows.length,
    refused: outcomes.filter((o) => o.outcome === 'refused').length,
    reviewsRequested: created.filter((p) => p.start).length,
    validateMs: Math.round(validated - started),
    writeMs: Math.round(written - validated),
  });
  return outcomes;
}

function plan(deps: RowDeps, batch: Batch, row: CheckedRow, now: Date): PlannedRow {
  const input = row.input as ApplicationInput;
  const at = now.toISOString();
  const id = applicationIdFor(batch.id, row.source.row);
  const required = requiredEvidence(input, deps.settings.evidencePolicy);
  // Shared evidence is referenced by id, not copied: one licence for thousands of rows stays one record.
  const evidence = row.evidence ?? [];
  const draft: Application = {
    ...input,
    id,
    tenantId: batch.tenantId,
    status: 'draft',
    attempt: 1,
    sequence: 1,
    version: 1,
    requiredEvidence: required,
    rejectionReasons: [],
    warnings: row.warnings ?? [],
    workflowRuns: 0,
    batchId: batch.id,
    ...(evidence.length > 0 ? { sharedEvidence: evidence.map((e) => e.evidenceId) } : {}),
    createdAt: at,
    updatedAt: at,
  };
  // The creation's timeline entry is the application itself (`creationEntry`), and so is a submission with it
  // (`submissionEntry`): a row stores no timeline item.
  const outbox = [eventFor(draft, 'application.created', deps.ids.next('evt'), at)];
  const covered = new Set(evidence.map((e) => e.kind));
  if (batch.submit === 'immediately' && required.every((kind) => covered.has(kind))) {
    const change = changeStatus(draft, {
      to: 'submitted',
      detail: SUBMISSION_DETAIL,
      at,
      eventId: deps.ids.next('evt'),
      set: { workflowRuns: 1, reviewDeadline: reviewDeadlineFor(input.kind, now), submittedOnCreation: true },
    });
    const app = change.next;
    const start = reviewExecution({ applicationId: app.id, tenantId: app.tenantId, name: reviewRunName(app) });
    return { row: row.source.row, app, outbox: [...outbox, change.outbox], start };
  }
  // Still missing files: the evidence check that completes it submits it (`submitWhenComplete`).
  const waiting = batch.submit === 'immediately' ? { ...draft, submitWhenComplete: true as const } : draft;
  return { row: row.source.row, app: waiting, outbox };
}

function duplicateError(path: string, filingNumber: string, firstRow: number): FieldError {
  return {
    path,
    code: 'duplicate_in_batch',
    message: `Row ${firstRow} of this batch already cancels ${filingNumber}; a filing takes one order at a time, so this row is left out.`,
  };
}

function filingCancelledError(path: string, filingNumber: string, cancelledAt: string | undefined): FieldError {
  return { ...filingCancelled(filingNumber, cancelledAt).errors[0], path } as FieldError;
}

function orderInProgress(path: string, filingNumber: string, holderId: string | undefined): FieldError {
  return {
    path,
    code: 'order_in_progress',
    message: `Filing ${filingNumber} already has an open cancellation order${holderId ? ` (${holderId})` : ''} (ORDER_IN_PROGRESS). Wait for it to end, or withdraw it, then submit this row again.`,
  };
}

/**
 * The registry with each subject looked up once per chunk: rows of one subject (its websites) share the look-up. A
 * tenant without any registry record gets no look-up at all (each would find nothing).
 */
function memoRegistry(registry: FilingRegistryRepository, inUse: boolean): FilingRegistryRepository {
  const subjects = new Map<string, Promise<StoredRegistryRecord[]>>();
  return {
    putRecords: (tenantId, records, importedAt) => registry.putRecords(tenantId, records, importedAt),
    get: (tenantId, filingNumber) => registry.get(tenantId, filingNumber),
    listSubject: (tenantId, subject) => {
      if (!inUse) return Promise.resolve([]);
      const key = `${tenantId}|${subject}`;
      let found = subjects.get(key);
      if (!found) subjects.set(key, (found = registry.listSubject(tenantId, subject)));
      return found;
    },
  };
}
