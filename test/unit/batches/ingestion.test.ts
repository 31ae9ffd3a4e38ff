import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField, MANIFEST_COLUMNS } from '../../../shared/domain/batch-manifest.ts';
import { changeStatus } from '../../../shared/domain/status-change.ts';
import { ConflictError, NotFoundError } from '../../../shared/domain/errors.ts';
import type { Application, Principal } from '../../../shared/domain/records.ts';
import { METRIC_NAMES } from '../../../shared/observability/metric-names.ts';
import { createApplication } from '../../../shared/use-cases/create-application.ts';
import { importFilingRegistry } from '../../../shared/use-cases/filing-registry.ts';
import { createBatch } from '../../../shared/use-cases/batches/create-batch.ts';
import { finishIngestion, ingestChunk, prepareIngestion, startReviews } from '../../../shared/use-cases/batches/ingestion.ts';
import { DynamoPace } from '../../../shared/adapters/dynamo/dynamo-pace.ts';
import { DynamoStartQueue } from '../../../shared/adapters/dynamo/dynamo-start-queue.ts';
import { PacedStarts } from '../../../shared/adapters/sfn/paced-starts.ts';
import { getBatch, getBatchReport } from '../../../shared/use-cases/batches/read-batch.ts';
import { settleBatch } from '../../../shared/use-cases/batches/settle-batch.ts';
import { manifestUploaded } from '../../../shared/use-cases/batches/start-ingestion.ts';
import { getApplication, listApplications } from '../../../shared/use-cases/read-applications.ts';
import { submitApplication } from '../../../shared/use-cases/submit-application.ts';
import { checkEvidence } from '../../../shared/use-cases/check-evidence.ts';
import { createEvidenceUpload } from '../../../shared/use-cases/create-evidence-upload.ts';
import { CREDIT_CODE, registryRow, uniqueSubjectNumber, websiteApplication } from '../use-cases/support/fixtures.ts';
import { agency, type LocalTable, startLocalTable, TABLE } from '../use-cases/support/local-deps.ts';
import { acceptedSharedEvidence, applicationsOfBatch, type BatchTestDeps, batchTestDeps, parseReport, runIngestion, scanTable } from './support.ts';

type Row = Record<string, string>;

/** A manifest as Excel's "CSV UTF-8" writes it: BOM, CRLF, RFC 4180 quoting. */
function manifest(rows: Row[], columns: readonly string[] = MANIFEST_COLUMNS): string {
  const line = (cells: string[]) => cells.map((c) => csvField(c)).join(',');
  return `\uFEFF${[line([...columns]), ...rows.map((r) => line(columns.map((c) => r[c] ?? '')))].join('\r\n')}\r\n`;
}

function goodRow(overrides: Row = {}): Row {
  return {
    kind: 'cancel_website',
    filingNumber: `${uniqueSubjectNumber()}-1`,
    websiteName: '示例网站',
    domains: 'example.cn',
    subjectName: '示例科技有限公司',
    subjectType: 'enterprise',
    creditCode: CREDIT_CODE,
    reason: 'business_change',
    siteState: 'closed',
    siteSince: '2026-02-01',
    ...overrides,
  };
}

/** Creates a CSV batch and "uploads" its manifest, as the API and S3 would. */
async function uploadedCsvBatch(deps: BatchTestDeps, principal: Principal, csv: string | Buffer, submit: 'immediately' | 'hold' = 'hold') {
  const { batch } = await createBatch(deps, principal, { format: 'csv', submit });
  await deps.batchFiles.put(batch.inputKey, typeof csv === 'string' ? Buffer.from(csv) : csv, 'text/csv');
  expect(await manifestUploaded(deps, { key: batch.inputKey })).toBe('started');
  return batch;
}

describe('batch ingestion (use cases on DynamoDB Local)', () => {
  let table: LocalTable;

  beforeAll(async () => {
    table = await startLocalTable();
  }, 60_000);

  afterAll(async () => {
    await table?.stop();
  });

  it('validates every CSV row on its own: good rows become drafts, bad and duplicate rows and open orders are reported per row', async () => {
    // Prepare
    const deps = batchTestDeps(table, { chunkRows: 3 });
    const principal = agency();
    const open = await createApplication(deps, principal, websiteApplication());
    const first = goodRow({ websiteName: '示例网站, "旧版"', customerRef: 'line one\nline two' });
    const seventh = goodRow({ websiteName: '第七个网站' });
    const rows: Row[] = [
      first,
      goodRow({ creditCode: `${CREDIT_CODE.slice(0, 17)}0` }),
      goodRow({ domains: 'a.example.cn; b.example.cn' }),
      goodRow({ filingNumber: first.filingNumber as string }),
      goodRow({ filingNumber: open.app.filingNumber }),
      goodRow({ websiteName: '' }),
      seventh,
      goodRow({ siteSince: '2026-02-30' }),
      goodRow({ filingNumber: seventh.filingNumber as string }),
      goodRow({ siteState: 'migrated', siteTarget: 'new.example.com', reason: 'website_migrated' }),
    ];
    // A row with a field too many, and an empty line (no row) at the end.
    const csv = `${manifest(rows)}${'x,'.repeat(MANIFEST_COLUMNS.length)}x\r\n\r\n`;

    // Act
    const batch = await uploadedCsvBatch(deps, principal, csv);
    await runIngestion(deps, batch);

    // Assess
    const view = await getBatch(deps, principal, batch.id);
    expect(view).toMatchObject({ status: 'ingested', rows: { total: 11, processed: 11, accepted: 4, rejected: 7 } });
    expect(view.counts).toMatchObject({ draft: 4, submitted: 0 });
    const report = await parseReport(deps.files.text(`batch-files/${principal.tenantId}/${batch.id}/report.csv`));
    expect(report.map((r) => [Number(r.row), r.outcome, r.errorCode])).toEqual([
      [1, 'created', ''],
      [2, 'refused', 'invalid_check_character'],
      [3, 'created', ''],
      [4, 'refused', 'duplicate_in_batch'],
      [5, 'refused', 'order_in_progress'],
      [6, 'refused', 'too_small'],
      [7, 'created', ''],
      [8, 'refused', 'invalid_union'],
      [9, 'refused', 'duplicate_in_batch'],
      [10, 'created', ''],
      [11, 'refused', 'too_many_fields'],
    ]);
    expect(report[0]).toMatchObject({ filingNumber: first.filingNumber, status: 'draft', warnings: 'not_in_registry' });
    expect(report[1]).toMatchObject({ errorPath: 'creditCode' });
    expect(report[3]?.errorMessage).toContain('Row 1 of this batch');
    expect(report[4]?.errorMessage).toContain(open.app.id);
    expect(report[5]).toMatchObject({ errorPath: 'websiteName' });
    expect(report[7]).toMatchObject({ errorPath: 'siteSince' });
    expect(report[8]?.errorMessage).toContain('Row 7 of this batch');

    const apps = await listApplications(deps, principal, { batchId: batch.id, limit: '200' });
    const byRow = Object.fromEntries(apps.items.map((a) => [a.id.slice(-6), a]));
    expect(Object.keys(byRow).sort()).toEqual(['000001', '000003', '000007', '000010']);
    expect(byRow['000001']).toMatchObject({ websiteName: '示例网站, "旧版"', customerRef: 'line one\nline two', batchId: batch.id, status: 'draft' });
    expect(byRow['000003']?.domains).toEqual(['a.example.cn', 'b.example.cn']);
    expect(byRow['000010']?.siteState).toEqual({ state: 'migrated', target: 'new.example.com', since: '2026-02-01' });
    // The single application, then the rows that became applications; every row ingested, good or refused.
    expect(deps.metrics.all()).toEqual({
      [METRIC_NAMES.applicationsCreated]: 1 + 4,
      [METRIC_NAMES.batchRowsIngested]: 11,
    });
  });

  it('resumes after a crash half-way through a chunk without duplicating any application, event or count', async () => {
    // Prepare: 60 good rows and 2 bad ones in one chunk, written one transaction (~20 rows) at a time
    const deps = batchTestDeps(table, { chunkRows: 100, writeConcurrency: 1 });
    const principal = agency();
    const rows = Array.from({ length: 62 }, (_, i) => (i === 10 || i === 40 ? goodRow({ kind: 'cancel_everything' }) : goodRow()));
    const batch = await uploadedCsvBatch(deps, principal, manifest(rows));
    const input = { batchId: batch.id, tenantId: principal.tenantId };
    await prepareIngestion(deps, input);
    // The crash: the second row transaction of the chunk dies (after the first committed).
    const documentsSend = (deps.batches as unknown as { client: { send: (c: unknown) => Promise<unknown> } }).client;
    const realSend = documentsSend.send.bind(documentsSend);
    let transactions = 0;
    documentsSend.send = async (command: unknown) => {
      if ((command as { constructor: { name: string } }).constructor.name === 'TransactWriteCommand' && ++transactions === 2) {
        throw new Error('Lambda killed mid-chunk');
      }
      return realSend(command);
    };

    // Act
    await expect(ingestChunk(deps, input)).rejects.toThrow('Lambda killed mid-chunk');
    const afterCrash = await applicationsOfBatch(table, batch.id);
    documentsSend.send = realSend;
    await runIngestion(deps, batch);

    // Assess
    expect(afterCrash.length).toBeGreaterThan(0);
    expect(afterCrash.length).toBeLessThan(60);
    const apps = await applicationsOfBatch(table, batch.id);
    expect(apps).toHaveLength(60);
    expect(new Set(apps.map((a) => a.filingNumber)).size).toBe(60);
    const created = await scanTable(table, {
      expression: 'entity = :event AND #event.#data.batchId = :batch AND #event.#type = :type',
      values: { ':event': 'event', ':batch': batch.id, ':type': 'application.created' },
      names: { '#event': 'event', '#data': 'data', '#type': 'type' },
    });
    expect(created).toHaveLength(60);
    const view = await getBatch(deps, principal, batch.id);
    expect(view).toMatchObject({ status: 'ingested', rows: { total: 62, processed: 62, accepted: 60, rejected: 2 } });
    expect(view.counts.draft).toBe(60);
    const report = await parseReport(deps.files.text(`batch-files/${principal.tenantId}/${batch.id}/report.csv`));
    expect(report.map((r) => Number(r.row))).toEqual(Array.from({ length: 62 }, (_, i) => i + 1));
    expect(report.filter((r) => r.outcome === 'refused').map((r) => Number(r.row))).toEqual([11, 41]);
    // The crashed run counted nothing: its rows once, by the run that moved the cursor past them; the applications
    // it wrote before dying are found, not written, by the next run, and are not counted (an undercount, never double).
    expect(deps.metrics.of(METRIC_NAMES.batchRowsIngested)).toBe(62);
    expect(deps.metrics.of(METRIC_NAMES.applicationsCreated)).toBe(60 - afterCrash.length);
  });

  it('honours Idempotency-Key: the same body gives the same batch (a fresh upload URL while waiting), another body 409', async () => {
    // Prepare
    const deps = batchTestDeps(table);
    const principal = agency();

    // Act
    const first = await createBatch(deps, principal, { format: 'csv', hold: true }, { idempotencyKey: 'key-1' });
    const again = await createBatch(deps, principal, { format: 'csv', submit: 'hold' }, { idempotencyKey: 'key-1' });
    const other = await createBatch(deps, principal, { format: 'csv' }, { idempotencyKey: 'key-1' }).catch((error: unknown) => error);
    const items = [websiteApplication()];
    const inline = await createBatch(deps, principal, { items }, { idempotencyKey: 'key-2' });
    const inlineAgain = await createBatch(deps, principal, { items }, { idempotencyKey: 'key-2' });

    // Assess
    expect(first).toMatchObject({ created: true, batch: { status: 'awaiting_upload', submit: 'hold' }, upload: { method: 'PUT' } });
    expect(again).toMatchObject({ created: false, batch: { id: first.batch.id }, upload: { method: 'PUT' } });
    expect(other).toBeInstanceOf(ConflictError);
    expect(inline.batch).toMatchObject({ status: 'ingesting', rowsTotal: 1 });
    // A replay of an inline batch still ingesting starts the same run again (joining it, or starting it if lost).
    expect(inlineAgain).toMatchObject({ created: false, batch: { id: inline.batch.id } });
    expect(deps.ingestions.map((i) => i.name)).toEqual([`${inline.batch.id}-1`, `${inline.batch.id}-1`]);
  });

  it('submits rows whose shared evidence covers what they need, keeps the others as drafts, and completes once every row ends', async () => {
    // Prepare
    const deps = batchTestDeps(table);
    const principal = agency();
    const closure = await acceptedSharedEvidence(deps, principal.tenantId, 'closure_proof');
    const items = [
      { ...websiteApplication(), evidence: [closure.evidenceId] },
      { ...websiteApplication(), evidence: [closure.evidenceId, closure.evidenceId] },
      websiteApplication(),
      { ...websiteApplication(), evidence: ['ev_unknown'] },
    ];
    const { batch } = await createBatch(deps, principal, { items, submit: 'immediately' });

    // Act
    await runIngestion(deps, batch);
    const ingested = await getBatch(deps, principal, batch.id);
    const apps = (await listApplications(deps, principal, { batchId: batch.id })).items;
    const submitted = await deps.applications.get(apps.find((a) => a.status === 'submitted')?.id ?? '');
    // All at once: the counters move in each change's own transaction.
    await Promise.all(
      apps.map(async (app) => {
        const stored = await deps.applications.get(app.id);
        if (!stored) throw new Error('missing');
        await deps.applications.applyStatusChange(changeStatus(stored, { to: 'withdrawn', detail: 'test', at: stored.updatedAt, eventId: deps.ids.next('evt') }));
      }),
    );
    const settled = await Promise.all([settleBatch(deps, batch.id), settleBatch(deps, batch.id), settleBatch(deps, batch.id)]);

    // Assess
    expect(ingested).toMatchObject({ status: 'ingested', rows: { accepted: 3, rejected: 1 }, counts: { submitted: 2, draft: 1 } });
    expect(deps.metrics.all()).toEqual({
      [METRIC_NAMES.applicationsCreated]: 3,
      [METRIC_NAMES.applicationsSubmitted]: 2,
      [METRIC_NAMES.batchRowsIngested]: 4,
    });
    expect(deps.reviewRuns.map((r) => r.name).sort()).toEqual(
      apps.filter((a) => a.status === 'submitted').map((a) => `${a.id}-1`).sort(),
    );
    expect(submitted).toMatchObject({ sequence: 2, workflowRuns: 1, reviewDeadline: expect.anything() });
    expect(submitted).not.toHaveProperty('submitWhenComplete');
    // The shared closure proof is referenced by id, not copied onto each application.
    expect(submitted?.sharedEvidence).toEqual([closure.evidenceId]);
    expect(await deps.applications.listEvidence(submitted as Application)).toEqual([
      expect.objectContaining({ evidenceId: closure.evidenceId, kind: 'closure_proof', status: 'accepted', objectKey: closure.objectKey, shared: true }),
    ]);
    const links = await scanTable(table, {
      expression: 'entity = :evidence AND applicationId IN (:a, :b, :c)',
      values: { ':evidence': 'evidence', ':a': apps[0]?.id, ':b': apps[1]?.id, ':c': apps[2]?.id },
    });
    expect(links).toEqual([]);
    expect(settled.filter(Boolean)).toHaveLength(1);
    const view = await getBatch(deps, principal, batch.id);
    expect(view).toMatchObject({ status: 'completed', progress: 1, counts: { withdrawn: 3, draft: 0, submitted: 0 } });
    const events = await scanTable(table, {
      expression: 'entity = :event AND #event.#type = :type AND #event.#data.batchId = :batch',
      values: { ':event': 'event', ':type': 'batch.completed', ':batch': batch.id },
      names: { '#event': 'event', '#data': 'data', '#type': 'type' },
    });
    expect(events.map((e) => (e.event as { data: unknown }).data)).toEqual([
      expect.objectContaining({ batchId: batch.id, rows: { total: 4, accepted: 3, rejected: 1 }, counts: { withdrawn: 3 } }),
    ]);
  });

  it('ends ingestion once the rows and their review start requests are durable, whatever the starts do; StartReviews finishes them', async () => {
    // Prepare: Step Functions throttles every start for now
    const deps = batchTestDeps(table);
    const principal = agency();
    const closure = await acceptedSharedEvidence(deps, principal.tenantId, 'closure_proof');
    const items = [websiteApplication(), websiteApplication(), websiteApplication()].map((item) => ({ ...item, evidence: [closure.evidenceId] }));
    const { batch } = await createBatch(deps, principal, { items, submit: 'immediately' });
    const input = { batchId: batch.id, tenantId: batch.tenantId };
    const starter = deps.reviewStarter;
    const throttled = new PacedStarts(new DynamoStartQueue(table.documents, TABLE), new DynamoPace(table.documents, TABLE, { rate: 10_000, burst: 1_000 }), {
      launch: async () => 'throttled' as const,
    });

    // Act
    deps.reviewStarter = throttled;
    let { done } = await prepareIngestion(deps, input);
    while (!done) ({ done } = await ingestChunk(deps, input));
    await finishIngestion(deps, input);
    const ingested = await getBatch(deps, principal, batch.id);
    const requests = await scanTable(table, { expression: 'entity = :request AND batchId = :batch', values: { ':request': 'start_request', ':batch': batch.id } });
    deps.reviewStarter = starter;
    const afterwards = await startReviews(deps, input);

    // Assess
    expect(ingested).toMatchObject({ status: 'ingested', rows: { accepted: 3 }, counts: { submitted: 3 }, ingestedAt: expect.any(String) });
    expect(ingested).not.toHaveProperty('reviewsStartedAt');
    const apps = await applicationsOfBatch(table, batch.id);
    // One request for the three rows of the one transaction, naming each row's review
    expect(requests).toHaveLength(1);
    const requested = requests.flatMap((r) => (JSON.parse(String(r.executions)) as { name: string }[]).map((e) => e.name));
    expect(requested.sort()).toEqual(apps.map((a) => `${String(a.id)}-1`).sort());
    expect(requests.every((r) => r.machine === 'review')).toBe(true);
    expect(afterwards).toEqual({ done: true });
    expect(deps.reviewRuns.map((r) => r.name).sort()).toEqual(requested.sort());
    expect(await getBatch(deps, principal, batch.id)).toMatchObject({ reviewsStartedAt: expect.any(String) });
    expect(await scanTable(table, { expression: 'entity = :request AND batchId = :batch', values: { ':request': 'start_request', ':batch': batch.id } })).toEqual([]);
  });

  it('holds a row with shared evidence as a draft that POST …/submit later finds complete, the evidence shown as shared', async () => {
    // Prepare
    const deps = batchTestDeps(table);
    const principal = agency();
    const closure = await acceptedSharedEvidence(deps, principal.tenantId, 'closure_proof');
    const { batch } = await createBatch(deps, principal, { items: [{ ...websiteApplication(), evidence: [closure.evidenceId] }], submit: 'hold' });
    await runIngestion(deps, batch);
    const [held] = (await listApplications(deps, principal, { batchId: batch.id })).items;

    // Act
    const submitted = await submitApplication(deps, principal, held?.id ?? '');
    const view = await getApplication(deps, principal, submitted.id);

    // Assess
    expect(held).toMatchObject({ status: 'draft' });
    expect(submitted).toMatchObject({ status: 'submitted', sharedEvidence: [closure.evidenceId] });
    expect(view).toMatchObject({ missingEvidence: [], evidence: [{ evidenceId: closure.evidenceId, kind: 'closure_proof', status: 'accepted', shared: true }] });
  });

  it('submits a row of an `immediately` batch once the evidence check completes it (once, however many checks race); a held row stays a draft', async () => {
    // Prepare
    const deps = batchTestDeps(table);
    const principal = agency();
    const immediately = await createBatch(deps, principal, { items: [websiteApplication()], submit: 'immediately' });
    const held = await createBatch(deps, principal, { items: [websiteApplication()], submit: 'hold' });
    await runIngestion(deps, immediately.batch);
    await runIngestion(deps, held.batch);
    const [waiting] = (await listApplications(deps, principal, { batchId: immediately.batch.id })).items;
    const [draft] = (await listApplications(deps, principal, { batchId: held.batch.id })).items;
    const pdf = new TextEncoder().encode('%PDF-1.7\n% closure proof\n');
    /** Declares a closure proof upload and puts the bytes where the presigned URL would; the check runs later. */
    const uploaded = async (applicationId: string) => {
      const declared = await createEvidenceUpload(deps, principal, applicationId, { kind: 'closure_proof', contentType: 'application/pdf', contentLength: pdf.length });
      const key = `evidence/${principal.tenantId}/${applicationId}/${declared.evidenceId}`;
      deps.objects.set(key, pdf);
      return key;
    };
    const keys = [await uploaded(waiting?.id ?? ''), await uploaded(waiting?.id ?? '')];
    const heldKey = await uploaded(draft?.id ?? '');

    // Act
    const checks = await Promise.all(keys.map((key) => checkEvidence(deps, key)));
    const again = await checkEvidence(deps, keys[0] as string);
    await checkEvidence(deps, heldKey);

    // Assess
    expect(waiting).toMatchObject({ status: 'draft', submitWhenComplete: true });
    expect(draft).not.toHaveProperty('submitWhenComplete');
    expect(checks.map((c) => c.status)).toEqual(['accepted', 'accepted']);
    expect(checks.filter((c) => c.submitted)).toHaveLength(1);
    expect(again).toMatchObject({ status: 'ignored' });
    expect(await deps.applications.get(waiting?.id ?? '')).toMatchObject({ status: 'submitted', workflowRuns: 1, sequence: 2 });
    // One run, started again (joined) by the check delivered twice: the same name.
    expect(new Set(deps.started.filter((s) => s.applicationId === waiting?.id).map((s) => s.name))).toEqual(new Set([`${waiting?.id}-1`]));
    expect(await deps.applications.get(draft?.id ?? '')).toMatchObject({ status: 'draft' });
    expect(deps.started.filter((s) => s.applicationId === draft?.id)).toEqual([]);
  });

  it('starts the review on a check delivered again when the first one committed the submission but crashed before the start', async () => {
    // Prepare
    const deps = batchTestDeps(table);
    const principal = agency();
    const { batch } = await createBatch(deps, principal, { items: [websiteApplication()], submit: 'immediately' });
    await runIngestion(deps, batch);
    const [waiting] = (await listApplications(deps, principal, { batchId: batch.id })).items;
    const pdf = new TextEncoder().encode('%PDF-1.7\n% closure proof\n');
    const declared = await createEvidenceUpload(deps, principal, waiting?.id ?? '', { kind: 'closure_proof', contentType: 'application/pdf', contentLength: pdf.length });
    const key = `evidence/${principal.tenantId}/${waiting?.id}/${declared.evidenceId}`;
    deps.objects.set(key, pdf);
    const crashing = { ...deps, review: { ...deps.review, start: async () => Promise.reject(new Error('Lambda timed out')) } };

    // Act
    const first = await checkEvidence(crashing, key).catch((e: unknown) => e);
    const afterCrash = await deps.applications.get(waiting?.id ?? '');
    const redelivered = await checkEvidence(deps, key);

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(afterCrash).toMatchObject({ status: 'submitted' });
    expect(redelivered).toMatchObject({ status: 'ignored' });
    expect(deps.started.filter((s) => s.applicationId === waiting?.id).map((s) => s.name)).toEqual([`${waiting?.id}-1`]);
  });

  it("checks each row against the tenant's filing registry, exactly as a single submission", async () => {
    // Prepare
    const deps = batchTestDeps(table);
    const principal = agency();
    const matching = websiteApplication();
    const mismatching = websiteApplication();
    await importFilingRegistry(deps, principal, { rows: [registryRow(matching), registryRow(mismatching, { subjectName: '别的公司' })] });
    const single = (await createApplication(deps, agency(principal.tenantId), websiteApplication({ filingNumber: mismatching.filingNumber })).catch(
      (error: unknown) => error,
    )) as { errors: { code: string; path: string }[] };
    const { batch } = await createBatch(deps, principal, { items: [matching, mismatching] });

    // Act
    await runIngestion(deps, batch);

    // Assess
    const report = await parseReport(deps.files.text(`batch-files/${principal.tenantId}/${batch.id}/report.csv`));
    // Found in the registry (no `not_in_registry`), as the last website of its subject there.
    expect(report[0]).toMatchObject({ outcome: 'created', warnings: 'would_leave_empty_subject' });
    expect(report[1]).toMatchObject({ outcome: 'refused', errorCode: 'registry_mismatch', errorPath: 'subject.name' });
    expect(single.errors).toEqual([expect.objectContaining({ code: 'registry_mismatch', path: 'subject.name' })]);
  });

  it('completes at once a batch whose rows were all refused', async () => {
    // Prepare
    const deps = batchTestDeps(table);
    const principal = agency();
    const { batch } = await createBatch(deps, principal, { items: [{ kind: 'nope' }, { filingNumber: 42 }] });

    // Act
    await runIngestion(deps, batch);

    // Assess
    expect(await getBatch(deps, principal, batch.id)).toMatchObject({ status: 'completed', rows: { total: 2, rejected: 2, accepted: 0 } });
    const report = await parseReport(deps.files.text(`batch-files/${principal.tenantId}/${batch.id}/report.csv`));
    expect(report[1]).toMatchObject({ row: '2', outcome: 'refused', errorPath: expect.stringContaining('filingNumber') });
  });

  it.each([
    ['unknown columns', Buffer.from(manifest([goodRow()], [...MANIFEST_COLUMNS, 'colour'])), 'invalid_header'],
    ['a missing column', Buffer.from(manifest([goodRow()], MANIFEST_COLUMNS.filter((c) => c !== 'kind'))), 'invalid_header'],
    ['GBK bytes', Buffer.concat([Buffer.from(manifest([])), Buffer.from([0xca, 0xbe, 0xc0, 0xfd, 0x0d, 0x0a])]), 'not_utf8'],
    ['an unclosed quote', Buffer.from(`${manifest([goodRow()])}"cancel_website,broken\r\n`), 'invalid_csv'],
    ['no rows', Buffer.from(manifest([])), 'no_rows'],
  ])('fails the whole batch, creating nothing, for a manifest with %s', async (_what, csv, code) => {
    // Prepare
    const deps = batchTestDeps(table);
    const principal = agency();
    const batch = await uploadedCsvBatch(deps, principal, csv);

    // Act
    const prepared = prepareIngestion(deps, { batchId: batch.id, tenantId: principal.tenantId });

    // Assess
    await expect(prepared).rejects.toMatchObject({ name: 'ManifestRejectedError' });
    expect(await getBatch(deps, principal, batch.id)).toMatchObject({ status: 'failed', error: { code } });
    expect(await applicationsOfBatch(table, batch.id)).toEqual([]);
  });

  it('keeps batches and their applications to their tenant', async () => {
    // Prepare
    const deps = batchTestDeps(table);
    const owner = agency();
    const stranger = agency();
    const { batch } = await createBatch(deps, owner, { items: [websiteApplication()] });
    await runIngestion(deps, batch);

    // Act
    const view = await getBatch(deps, stranger, batch.id).catch((error: unknown) => error);
    const report = await getBatchReport(deps, stranger, batch.id).catch((error: unknown) => error);
    const listed = await listApplications(deps, stranger, { batchId: batch.id });

    // Assess
    expect(view).toBeInstanceOf(NotFoundError);
    expect(report).toBeInstanceOf(NotFoundError);
    expect(listed.items).toEqual([]);
    expect((await listApplications(deps, owner, { batchId: batch.id })).items).toHaveLength(1);
  });
});
