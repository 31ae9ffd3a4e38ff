import * as z from '../../zod.ts';
import { mapConcurrently } from '../../concurrency.ts';
import { ConflictError } from '../../domain/errors.ts';
import type { Batch } from '../../domain/batch.ts';
import type { Application, Principal } from '../../domain/records.ts';
import type { BatchDeps } from '../../ports/batch-services.ts';
import type { Deps } from '../../ports/deps.ts';
import { missingEvidence } from '../application-view.ts';
import { reviewRunName, submitDraft } from '../submit-application.ts';
import { loadOwnedBatch } from './read-batch.ts';

/** The body of `POST /v1/batches/{id}/submit`: where the previous call stopped (its `nextCursor`), if anywhere. */
export const BatchRelease = z.strictObject({ cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))) });
export type BatchRelease = z.infer<typeof BatchRelease>;

/** Applications looked at per call: a page is submitted well within the function's 30 seconds. */
const PAGE_SIZE = 200;
const CONCURRENCY = 8;

export interface BatchReleasePage {
  batchId: string;
  /** Drafts submitted by this call (their reviews started). */
  submitted: number;
  /** Drafts still missing files: marked `submitWhenComplete`, so the check that completes one submits it. */
  waiting: number;
  /** Applications of the page that were not drafts (submitted before, decided, withdrawn) or changed meanwhile. */
  skipped: number;
  /** Present while the batch has more applications: send it back as `cursor` for the next page. */
  nextCursor?: string;
}

/**
 * Releases a batch's drafts (a batch held with `submit: hold`, or the rows of any batch still waiting), one page of
 * its applications per call: each draft whose evidence is complete is submitted exactly as `POST …/submit` would
 * (its review started through the same path), each one still missing files is marked `submitWhenComplete`.
 *
 * Primary course:
 * 1. The tenant's batch (404), with every row ingested (409 while it is still being ingested, or failed).
 * 2. The next page of its applications (from `cursor`; a bad one is a 400 that changes nothing). A held batch is then
 *    marked released (`submit: immediately`, `releasedAt`), and the page's drafts submitted or marked, a few at once.
 * 3. The counts, and `nextCursor` while there is more. Calling again for the same page is harmless: what was
 *    submitted is no draft any more (its review is started again, joining the run, in case an error cut the earlier
 *    call short between the submission and the start), and two callers racing on one draft submit it once.
 */
export async function releaseBatch(
  deps: Pick<BatchDeps, 'batches'> & Pick<Deps, 'applications' | 'review' | 'clock' | 'ids' | 'metrics'>,
  principal: Principal,
  batchId: string,
  body: BatchRelease,
): Promise<BatchReleasePage> {
  const batch = await loadOwnedBatch(deps, principal.tenantId, batchId);
  if (batch.status !== 'ingested' && batch.status !== 'completed') {
    throw new ConflictError(`Drafts are released once every row is ingested; this batch is ${batch.status}.`, {
      extensions: { batchStatus: batch.status },
    });
  }
  // The page is read before anything is written: a cursor refused there (400) must leave the batch as it was.
  const page = await deps.applications.list(principal.tenantId, {
    limit: PAGE_SIZE,
    batchId: batch.id,
    ...(body.cursor ? { cursor: body.cursor } : {}),
  });
  if (batch.submit === 'hold') await markReleased(deps, batch);
  const outcomes = await mapConcurrently(page.items, CONCURRENCY, (app) => release(deps, app));
  return {
    batchId: batch.id,
    submitted: outcomes.filter((o) => o === 'submitted').length,
    waiting: outcomes.filter((o) => o === 'waiting').length,
    skipped: outcomes.filter((o) => o === 'skipped').length,
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/**
 * The batch is no longer held: it submits like `immediately` from now on (its view says so, and a client watching it
 * waits for it to complete). Retried when the batch changed meanwhile (its counters settling it, say).
 */
async function markReleased(deps: Pick<BatchDeps, 'batches'> & Pick<Deps, 'clock'>, read: Batch): Promise<void> {
  for (let attempt = 1, batch = read; ; attempt++, batch = await loadOwnedBatch(deps, read.tenantId, read.id)) {
    if (batch.submit !== 'hold') return;
    const at = deps.clock.now().toISOString();
    try {
      await deps.batches.update(batch, { submit: 'immediately', releasedAt: at, updatedAt: at });
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 5) throw error;
    }
  }
}

async function release(
  deps: Pick<Deps, 'applications' | 'review' | 'clock' | 'ids' | 'metrics'>,
  app: Application,
): Promise<'submitted' | 'waiting' | 'skipped'> {
  if (app.status === 'submitted' && app.attempt === 1) {
    // Submitted by an earlier call that may have failed before its review started (Step Functions throttling, say):
    // start the same run again, which joins it when it runs. So a release repeated after an error finishes the job.
    await deps.review.start({ applicationId: app.id, tenantId: app.tenantId, name: reviewRunName(app) });
    return 'skipped';
  }
  if (app.status !== 'draft') return 'skipped';
  try {
    if (missingEvidence(app, await deps.applications.listEvidence(app)).length === 0) {
      await submitDraft(deps, app);
      return 'submitted';
    }
    if (!app.submitWhenComplete) await deps.applications.update(app, { submitWhenComplete: true });
    return 'waiting';
  } catch (error) {
    // Changed since the page was read: submitted, withdrawn or marked by another caller.
    if (error instanceof ConflictError) return 'skipped';
    throw error;
  }
}
