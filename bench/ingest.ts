import { parse } from 'csv-parse/sync';
import { ApiClient, type BatchView } from '../cli/api-client.ts';
import { ApiError } from '../cli/errors.ts';
import { isIngested } from '../cli/watch.ts';
import type { LocalRuntime } from '../infra/local/runtime.ts';
import { generateManifest } from './manifest.ts';

export interface IngestResult {
  /** Why nothing was measured (the batch API answered 404, say). */
  skipped?: string;
  /**
   * From `POST /v1/batches` to the report being downloadable: validation, records, their review start requests,
   * report — ingestion durable (the reviews are started after and apart, at the system's pace).
   */
  ms: number;
  /** `immediately`: from `POST /v1/batches` until the batch says its last review started (`reviewsStartedAt`). */
  reviewsMs?: number;
  /** `immediately`: from the batch's first review StartExecution call to its last, at the local Step Functions API. */
  startSpanMs?: number;
  /**
   * `immediately`: the review starts' rate while the rows were being written (first start to ingestion durable) and
   * after (to the last start): the pace's shortfall, if any, shows in the first.
   */
  startRates?: { ingesting: number; after: number };
  /**
   * `immediately`: where the time to the last start goes beyond starts ÷ rate: from `POST` to the first start, and
   * the three longest pauses between two starts (each with when it began, from `POST`).
   */
  startGaps?: { firstMs: number; longestPauses: { ms: number; atMs: number }[] };
  uploadMs: number;
  bad: number;
  accepted: number;
  refused: number;
  reportRows: number;
  /** Whether the report's refused rows are exactly the generated bad rows. */
  reportCheck: string;
  /** Review executions started for the batch (by the end of the measurement). */
  workflows: number;
  /** Size of the manifest. */
  bytes: number;
}

const POLL_MS = 250;

/**
 * One ingestion through the real API, as an agency's client does it: create a CSV batch, PUT the manifest to the
 * presigned URL, poll the batch until the manifest is ingested and its report can be downloaded. The manifest is
 * generated before the clock starts.
 */
export async function ingest(
  runtime: LocalRuntime,
  options: {
    rows: number;
    hold: boolean;
    series: number;
    evidence: string;
    log: (line: string) => void;
    /** Called as the clock starts (`POST`) and as the ingestion is durable: what the bench measures in between. */
    marks?: { posted?: () => void; durable?: () => void };
  },
): Promise<IngestResult> {
  const manifest = generateManifest({ rows: options.rows, series: options.series, ref: `bench${options.series}`, evidence: options.evidence });
  const bytes = Buffer.from(manifest.csv);
  const client = new ApiClient({ baseUrl: runtime.url, apiKey: runtime.demoTenant.agencyKey, timeoutMs: 120_000 });
  const callsBefore = runtime.stepFunctionsApi.startExecutionCalls.length;

  options.marks?.posted?.();
  const started = performance.now();
  const postedAt = Date.now();
  let created: Awaited<ReturnType<ApiClient['createCsvBatch']>>;
  try {
    created = await client.createCsvBatch({ hold: options.hold, idempotencyKey: `bench-${options.series}-${Date.now()}` });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return skipped(`the batch API is not there yet (${error.message})`);
    throw error;
  }
  if (!created.upload) throw new Error(`POST /v1/batches gave no upload URL: ${JSON.stringify(created)}`);
  await client.upload(created.upload, bytes);
  const uploadMs = performance.now() - started;

  let batch: BatchView;
  let lastLog = 0;
  for (;;) {
    batch = await client.getBatch(created.id);
    if (batch.status === 'failed') throw new Error(`The batch failed: ${JSON.stringify(batch)}`);
    if (isIngested(batch)) break;
    if (performance.now() - lastLog > 5_000) {
      lastLog = performance.now();
      options.log(`  ingesting: ${batch.rows.processed}/${batch.rows.total ?? '?'} rows after ${((lastLog - started) / 1000).toFixed(1)} s`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const report = await client.downloadReport(created.id);
  const ms = performance.now() - started;
  const ingestedAt = Date.now();
  options.marks?.durable?.();
  options.log(`ingestion ${options.series}: ${options.rows} rows durable in ${(ms / 1000).toFixed(2)} s`);

  // The reviews go on at the pace after the ingestion: wait for the last one.
  let reviewsMs: number | undefined;
  while (!options.hold && !batch.reviewsStartedAt) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    batch = await client.getBatch(created.id);
    if (batch.reviewsStartedAt) reviewsMs = performance.now() - started;
  }
  // This batch's review starts (its applications are `app_<batch>_<row>`), wherever other batches' calls fall between.
  const ownPrefix = `app_${created.id.replace(/^bat_/, '')}_`;
  const calls = runtime.stepFunctionsApi.startExecutionCalls.slice(callsBefore).filter((c) => c.outcome === 'started' && c.name.startsWith(ownPrefix));
  const first = calls[0]?.at ?? ingestedAt;
  const last = calls.at(-1)?.at ?? ingestedAt;
  const startSpanMs = calls.length > 1 ? last - first : undefined;
  const workflows = new Set(calls.map((c) => c.name)).size;
  const whileIngesting = calls.filter((c) => c.at <= ingestedAt).length;
  const perSecond = (count: number, fromMs: number, toMs: number) => (toMs > fromMs ? Math.round((count / (toMs - fromMs)) * 1000 * 10) / 10 : 0);
  const startRates = { ingesting: perSecond(whileIngesting, first, ingestedAt), after: perSecond(calls.length - whileIngesting, ingestedAt, last) };
  const pauses: { ms: number; atMs: number }[] = [];
  for (let i = 1; i < calls.length; i++) {
    pauses.push({ ms: (calls[i]?.at ?? 0) - (calls[i - 1]?.at ?? 0), atMs: (calls[i - 1]?.at ?? 0) - postedAt });
  }
  const longest = pauses.sort((a, b) => b.ms - a.ms).slice(0, 3);
  const startGaps = { firstMs: first - postedAt, longestPauses: longest };
  const check = checkReport(report, manifest.bad);
  options.log(`  report ${check.summary}${reviewsMs === undefined ? '' : `; last of ${workflows} reviews started after ${(reviewsMs / 1000).toFixed(2)} s`}`);
  return {
    ms,
    ...(reviewsMs === undefined ? {} : { reviewsMs }),
    ...(startSpanMs === undefined ? {} : { startSpanMs, startRates, startGaps }),
    uploadMs,
    bad: manifest.bad.size,
    accepted: batch.rows.accepted,
    refused: batch.rows.rejected,
    reportRows: check.rows,
    reportCheck: check.summary,
    workflows,
    bytes: bytes.length,
  };
}

/** A minimal real PDF (magic bytes `%PDF-`): the closure proof every row of the benchmark shares. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/**
 * Uploads one closure proof as shared evidence and waits for its check, so that every good row is complete and
 * submitted as it is ingested (its review workflow started). Undefined when the API has no shared evidence.
 */
export async function sharedClosureProof(runtime: LocalRuntime): Promise<string | undefined> {
  const client = new ApiClient({ baseUrl: runtime.url, apiKey: runtime.demoTenant.agencyKey });
  let created: Awaited<ReturnType<ApiClient['createSharedEvidence']>>;
  try {
    created = await client.createSharedEvidence({ kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
  await client.upload(created, PDF, 'the closure proof');
  for (let i = 0; i < 200; i++) {
    const evidence = await client.getSharedEvidence(created.evidenceId);
    if (evidence.status === 'accepted') return created.evidenceId;
    if (evidence.status === 'rejected') throw new Error(`The shared closure proof was refused: ${evidence.rejectionReason}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('The shared closure proof was not checked within 10 s');
}

function skipped(reason: string): IngestResult {
  return { skipped: reason, ms: 0, uploadMs: 0, bad: 0, accepted: 0, refused: 0, reportRows: 0, reportCheck: '', workflows: 0, bytes: 0 };
}

/** Compares the report's refused rows with the rows generated bad. */
export function checkReport(report: Buffer, bad: ReadonlyMap<number, string>): { rows: number; summary: string } {
  const records = parse(report, { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
  const refused = new Set(records.filter((r) => r.outcome !== 'created').map((r) => Number(r.row)));
  const missed = [...bad.keys()].filter((row) => !refused.has(row));
  const unexpected = [...refused].filter((row) => !bad.has(row));
  const summary =
    missed.length === 0 && unexpected.length === 0
      ? 'refused rows = generated bad rows'
      : `MISMATCH: ${missed.length} bad rows accepted (e.g. ${missed.slice(0, 3).join(', ')}), ${unexpected.length} good rows refused (e.g. ${unexpected.slice(0, 3).join(', ')})`;
  return { rows: records.length, summary };
}
