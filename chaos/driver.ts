import { csvField, MANIFEST_COLUMNS } from '../shared/domain/batch-manifest.ts';
import type { Answer, ChaosClient } from './client.ts';
import { type ChaosPlan, type PlannedApplication, expectedApplications } from './plan.ts';

/** Statuses an application never leaves. */
export const FINAL_STATUSES = new Set(['approved', 'rejected_final', 'failed', 'withdrawn']);

/** A minimal but real PDF (magic bytes `%PDF-`), the closure proof of every application. */
export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/** What the list of applications shows of one (`GET /v1/applications`). */
export interface ApplicationListing {
  id: string;
  status: string;
  kind: string;
  attempts: number;
  customerRef?: string;
  batchId?: string;
  smsVerification?: unknown;
}

/** A batch as `GET /v1/batches/{id}` shows it. */
export interface BatchListing {
  id: string;
  status: string;
  rows: { total: number; processed: number; accepted: number; rejected: number };
  counts: Record<string, number>;
  ingestedAt?: string;
  reviewsStartedAt?: string;
}

interface SingleState {
  id?: string;
  /** An evidence upload went through (S3 answered 200). */
  uploaded?: boolean;
  /** Its evidence is accepted: it can be submitted. */
  complete?: boolean;
  uploadedAt?: number;
  warnedStuck?: boolean;
}

/** An action taken on an application is not taken again for the same state sooner than this (its effect may lag). */
const REPEAT_AFTER_MS = 20_000;

/**
 * The agency and the operator, driven by what the API shows: a pass (`tick`) lists every application and batch and
 * takes, for each, the next step of its planned path — create, upload the evidence, submit, record the SMS
 * verification and the decision as the operator, resubmit with a correction, withdraw — with a bounded number of
 * requests in flight. Nothing is remembered that the system does not show again, so the passes go on across a crash
 * of the whole runtime as a customer's script would: what failed while it was down is sent again (the client retries
 * it, with the same Idempotency-Key), and what it finds done is not done twice.
 */
export class Driver {
  /** Batch ids by batch number (1-based), once created. */
  readonly batchIds = new Map<number, string>();
  readonly batchViews = new Map<number, BatchListing>();
  /** The last listing: applications by customer reference (more than one is a duplicate). */
  listing = new Map<string, ApplicationListing[]>();
  /** Whether the batches may be sent (the run sends them once reviews are under way). */
  batchesAllowed = false;
  /** The manifests went up (each batch created and its manifest PUT answered 200). */
  readonly manifestsUploaded = new Set<number>();
  private readonly singles = new Map<string, SingleState>();
  private readonly busy = new Set<string>();
  private readonly acted = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly byRef: Map<string, PlannedApplication>;

  constructor(
    private readonly options: {
      plan: ChaosPlan;
      client: ChaosClient;
      keys: { agency: string; operator: string };
      sharedEvidenceId: string;
      /** Requests in flight at most. */
      concurrency: number;
      log: (line: string) => void;
    },
  ) {
    this.byRef = new Map(expectedApplications(options.plan).map((p) => [p.ref, p]));
    for (const single of options.plan.singles) this.singles.set(single.ref, {});
  }

  /** Every planned application final and every batch completed, as the last pass saw them. */
  get done(): boolean {
    if (this.options.plan.batches.some((_, i) => this.batchViews.get(i + 1)?.status !== 'completed')) return false;
    return [...this.byRef.keys()].every((ref) => this.listing.get(ref)?.some((a) => FINAL_STATUSES.has(a.status)));
  }

  /** One pass: read what the system shows, start the next step of every application and batch that has one. */
  async tick(): Promise<void> {
    const { plan } = this.options;
    for (const single of plan.singles) if (!this.singles.get(single.ref)?.id) this.act(single.ref, 'create', () => this.create(single));
    if (this.batchesAllowed) {
      plan.batches.forEach((rows, i) => {
        if (!this.manifestsUploaded.has(i + 1)) this.act(`batch-${i + 1}`, 'send', () => this.sendBatch(i + 1, rows));
      });
    }
    await this.readBatches();
    this.listing = await this.listApplications();
    for (const [ref, planned] of this.byRef) {
      const seen = this.listing.get(ref)?.[0];
      if (seen) this.step(planned, seen);
    }
  }

  /** Waits for the steps in flight. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private step(planned: PlannedApplication, app: ApplicationListing): void {
    const { ref } = planned;
    const key = `${app.status}#${app.attempts}`;
    switch (app.status) {
      case 'draft': {
        const single = this.singles.get(ref);
        if (!single) return; // a batch row held as a draft: not planned (the batches submit immediately)
        single.id ??= app.id;
        if (!single.uploaded) this.act(ref, 'upload', () => this.upload(ref, app.id));
        else if (!single.complete) this.act(ref, 'check', () => this.checkEvidence(ref, app.id), 0);
        else this.act(ref, key, () => (planned.path === 'withdraw_draft' ? this.withdraw(app.id) : this.submit(app.id)));
        return;
      }
      case 'under_review':
        this.act(ref, key, () => this.review(planned, app));
        return;
      case 'rejected':
        this.act(ref, key, () => this.correct(planned, app));
        return;
      default:
        return; // submitted (the workflow takes it on) or final
    }
  }

  /**
   * Runs `fn` for `ref` unless a step of it is in flight, or the same step (`what`) was taken less than `againAfterMs`
   * ago (its effect may not show yet in the listing).
   */
  private act(ref: string, what: string, fn: () => Promise<void>, againAfterMs = REPEAT_AFTER_MS): void {
    if (this.busy.has(ref)) return;
    const mark = `${ref}|${what}`;
    const last = this.acted.get(mark);
    if (last !== undefined && Date.now() - last < againAfterMs) return;
    this.busy.add(ref);
    this.acted.set(mark, Date.now());
    const run = (async () => {
      await this.slot();
      try {
        await fn();
      } catch (error) {
        this.note(`${ref}: ${what} failed: ${String(error)}`);
        this.acted.delete(mark);
      } finally {
        this.release();
        this.busy.delete(ref);
      }
    })();
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }

  private agency(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> {
    return this.options.client.call(this.options.keys.agency, method, path, body, headers);
  }

  private operator(method: string, path: string, body?: unknown): Promise<Answer> {
    return this.options.client.call(this.options.keys.operator, method, path, body);
  }

  private async create(single: PlannedApplication): Promise<void> {
    const answer = await this.agency('POST', '/v1/applications', single.body, { 'idempotency-key': `chaos-${this.options.plan.seed}-${single.ref}` });
    if (answer.status !== 201) throw new Error(`create answered ${answer.status} ${JSON.stringify(answer.body)}`);
    (this.singles.get(single.ref) as SingleState).id = answer.body.id as string;
  }

  /** A presigned PUT for the closure proof, and the file to it; a failed upload starts again with a new URL. */
  private async upload(ref: string, id: string): Promise<void> {
    const answer = await this.agency('POST', `/v1/applications/${id}/evidence`, { kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length });
    if (answer.status !== 201) throw new Error(`the evidence URL answered ${answer.status} ${JSON.stringify(answer.body)}`);
    if (!(await this.options.client.put(answer.body.uploadUrl, PDF, answer.body.headers ?? { 'content-type': 'application/pdf' }))) {
      throw new Error('the evidence upload failed');
    }
    const single = this.singles.get(ref) as SingleState;
    single.uploaded = true;
    single.uploadedAt = Date.now();
  }

  private async checkEvidence(ref: string, id: string): Promise<void> {
    const single = this.singles.get(ref) as SingleState;
    const answer = await this.agency('GET', `/v1/applications/${id}`);
    if (answer.status !== 200) throw new Error(`GET answered ${answer.status}`);
    const evidence = (answer.body.evidence ?? []) as { status: string; rejectionReason?: string }[];
    if ((answer.body.missingEvidence ?? []).length === 0) {
      single.complete = true;
      return;
    }
    if (evidence.some((e) => e.status === 'rejected')) throw new Error(`its evidence was rejected: ${JSON.stringify(evidence)}`);
    if (!single.warnedStuck && Date.now() - (single.uploadedAt ?? 0) > 60_000) {
      single.warnedStuck = true;
      this.note(`${ref} (${id}): its evidence, uploaded ${Math.round((Date.now() - (single.uploadedAt ?? 0)) / 1000)} s ago, is still not checked (${evidence.map((e) => e.status).join(', ')})`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  private async submit(id: string): Promise<void> {
    await this.expect(this.agency('POST', `/v1/applications/${id}/submit`), [202, 409], `submit ${id}`);
  }

  private async withdraw(id: string): Promise<void> {
    await this.expect(this.agency('POST', `/v1/applications/${id}/withdraw`), [200, 409], `withdraw ${id}`);
  }

  /** The operator's part of a review: the SMS notice where the kind is verified by SMS, then the planned decision. */
  private async review(planned: PlannedApplication, app: ApplicationListing): Promise<void> {
    if (app.kind === 'cancel_website' && !app.smsVerification) {
      await this.expect(this.operator('POST', `/v1/reviews/${app.id}/verification`, {}), [202, 409], `verification of ${app.id}`);
    }
    const reject = planned.path === 'exhaust' || app.attempts <= planned.rejections;
    const decision = reject
      ? {
          outcome: 'rejected',
          reasons: [
            planned.path === 'exhaust'
              ? { code: 'OTHER', message: 'The authority returns the order (chaos run).' }
              : { code: 'INFO_MISMATCH', message: 'The website name differs from the filing (chaos run).' },
          ],
        }
      : { outcome: 'approved' };
    await this.expect(this.operator('POST', `/v1/reviews/${app.id}/decision`, decision), [202, 409], `decision on ${app.id}`);
  }

  /** After a rejection: withdraw, or resubmit (with the corrected website name, or as it was for `exhaust`). */
  private async correct(planned: PlannedApplication, app: ApplicationListing): Promise<void> {
    if (planned.path === 'withdraw_rejected') return this.withdraw(app.id);
    const corrections = planned.path === 'correct' ? { websiteName: `示例网站（更正${app.attempts}）` } : {};
    await this.expect(this.agency('POST', `/v1/applications/${app.id}/resubmit`, corrections), [202, 409], `resubmit ${app.id}`);
  }

  /** A CSV batch, submitted immediately: created (with its Idempotency-Key), its manifest PUT to the upload URL. */
  private async sendBatch(n: number, rows: PlannedApplication[]): Promise<void> {
    const answer = await this.agency('POST', '/v1/batches', { format: 'csv', submit: 'immediately' }, { 'idempotency-key': `chaos-${this.options.plan.seed}-batch-${n}` });
    if (answer.status !== 201) throw new Error(`POST /v1/batches answered ${answer.status} ${JSON.stringify(answer.body)}`);
    this.batchIds.set(n, answer.body.id as string);
    // A replay once the manifest has arrived carries no upload: it is up already.
    if (answer.body.upload) {
      const manifest = manifestOf(rows, this.options.sharedEvidenceId);
      if (!(await this.options.client.put(answer.body.upload.uploadUrl, manifest, answer.body.upload.headers))) throw new Error('the manifest upload failed');
    }
    this.manifestsUploaded.add(n);
  }

  private async readBatches(): Promise<void> {
    for (const [n, id] of this.batchIds) {
      const answer = await this.agency('GET', `/v1/batches/${id}`);
      if (answer.status === 200) this.batchViews.set(n, answer.body as BatchListing);
    }
  }

  /** Every application of the tenant, by customer reference. */
  async listApplications(): Promise<Map<string, ApplicationListing[]>> {
    const byRef = new Map<string, ApplicationListing[]>();
    let cursor: string | undefined;
    do {
      const answer = await this.agency('GET', `/v1/applications?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (answer.status !== 200) throw new Error(`GET /v1/applications answered ${answer.status}`);
      for (const app of answer.body.items as ApplicationListing[]) {
        const ref = app.customerRef ?? `(no customerRef: ${app.id})`;
        byRef.set(ref, [...(byRef.get(ref) ?? []), app]);
      }
      cursor = answer.body.nextCursor as string | undefined;
    } while (cursor);
    return byRef;
  }

  private async expect(request: Promise<Answer>, statuses: number[], what: string): Promise<void> {
    const answer = await request;
    if (!statuses.includes(answer.status)) throw new Error(`${what} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  }

  private note(line: string): void {
    this.options.log(`chaos: ${line}`);
  }

  private async slot(): Promise<void> {
    if (this.inFlight < this.options.concurrency) {
      this.inFlight += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight -= 1;
  }
}

/** The manifest of a batch: one row per planned row, in the manifest's columns, as Excel's "CSV UTF-8" writes it. */
export function manifestOf(rows: PlannedApplication[], evidenceId: string): string {
  const line = (cells: string[]) => cells.map((c) => csvField(c)).join(',');
  const cells = (p: PlannedApplication): Record<string, string> => ({
    kind: p.body.kind,
    filingNumber: p.body.filingNumber,
    websiteName: p.body.websiteName,
    domains: p.body.domains.join(';'),
    subjectName: p.body.subject.name,
    subjectType: p.body.subject.type,
    creditCode: p.body.subject.creditCode,
    reason: p.body.reason,
    siteState: p.body.siteState.state,
    siteSince: p.body.siteState.since,
    customerRef: p.body.customerRef,
    evidence: evidenceId,
  });
  return `\uFEFF${[line([...MANIFEST_COLUMNS]), ...rows.map((r) => line(MANIFEST_COLUMNS.map((c) => cells(r)[c] ?? '')))].join('\r\n')}\r\n`;
}
