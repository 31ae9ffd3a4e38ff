import type { Batch } from '../../domain/batch.ts';

/**
 * Where a batch's files live in the bucket, and the ids derived from a batch. Three prefixes, so that S3 notifies
 * only what it should: uploaded manifests (→ ingestion starts) and uploaded shared evidence (→ the file check); the
 * files the system writes itself (inline items, report parts, reports) trigger nothing.
 */
export const BATCH_MANIFEST_PREFIX = 'batch-manifests/';
export const BATCH_EVIDENCE_PREFIX = 'batch-evidence/';
export const BATCH_FILES_PREFIX = 'batch-files/';

export const batchObjectKeys = {
  manifest: (tenantId: string, batchId: string) => `${BATCH_MANIFEST_PREFIX}${tenantId}/${batchId}/manifest.csv`,
  items: (tenantId: string, batchId: string) => `${BATCH_FILES_PREFIX}${tenantId}/${batchId}/items.json`,
  reportPart: (tenantId: string, batchId: string, chunk: number) =>
    `${BATCH_FILES_PREFIX}${tenantId}/${batchId}/report-parts/${String(chunk).padStart(6, '0')}.csv`,
  report: (tenantId: string, batchId: string) => `${BATCH_FILES_PREFIX}${tenantId}/${batchId}/report.csv`,
  evidence: (tenantId: string, evidenceId: string) => `${BATCH_EVIDENCE_PREFIX}${tenantId}/${evidenceId}`,
};

export function parseManifestKey(key: string): { tenantId: string; batchId: string } | undefined {
  const match = /^batch-manifests\/([^/]+)\/([^/]+)\/manifest\.csv$/.exec(key);
  return match ? { tenantId: match[1] as string, batchId: match[2] as string } : undefined;
}

export function parseBatchEvidenceKey(key: string): { tenantId: string; evidenceId: string } | undefined {
  const match = /^batch-evidence\/([^/]+)\/([^/]+)$/.exec(key);
  return match ? { tenantId: match[1] as string, evidenceId: match[2] as string } : undefined;
}

/**
 * The application a row of a batch becomes: derived from the batch and the row number, so that writing the row again
 * (a chunk run again after a crash) finds the application instead of creating a second one.
 */
export function applicationIdFor(batchId: string, row: number): string {
  return `app_${batchId.replace(/^bat_/, '')}_${String(row).padStart(6, '0')}`;
}

/** The row of `batchId` that application `applicationId` came from, if it came from that batch. */
export function rowOfApplication(batchId: string, applicationId: string): number | undefined {
  const prefix = `app_${batchId.replace(/^bat_/, '')}_`;
  if (!applicationId.startsWith(prefix)) return undefined;
  const row = Number(applicationId.slice(prefix.length));
  return Number.isInteger(row) && row > 0 ? row : undefined;
}

/** The name of the batch's current ingestion execution; a restart takes the next. */
export function ingestionRunName(batch: Pick<Batch, 'id' | 'ingestRuns'>): string {
  return `${batch.id}-${batch.ingestRuns}`;
}
