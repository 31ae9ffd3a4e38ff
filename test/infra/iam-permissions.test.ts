import { describe, expect, it } from 'vitest';
import { classifyRequest } from '../../infra/local/iam/classify.ts';
import { PolicyEvaluator } from '../../infra/local/iam/policy-evaluator.ts';
import { readFunctionIdentities } from '../../infra/local/iam/role-policies.ts';
import type { CfnTemplate } from '../../infra/local/step-functions/template.ts';
import { batchObjectKeys } from '../../shared/use-cases/batches/batch-keys.ts';
import { appFunctions, synthesize } from './synth.ts';

// Prepare (once for the file): the synthesized app's roles, evaluated by a real IAM policy evaluator, with the
// table and bucket under the names the local runtime gives them.
const synth = synthesize();
const BUCKET = 'icp-cancel-evidence';
const identities = readFunctionIdentities(
  { data: synth.data.toJSON() as CfnTemplate, service: synth.service.toJSON() as CfnTemplate },
  { TABLE_NAME: 'icp-cancel', BUCKET_NAME: BUCKET },
);
const evaluator = new PolicyEvaluator(identities);
const functionOf = (entry: string): string => {
  const [[id] = []] = appFunctions(synth.serviceResources).filter(([, fn]) => fn.Metadata?.['icp:entry'] === entry);
  if (id === undefined) throw new Error(`No function for ${entry}`);
  return id;
};

/** What the role of `entry` is refused of the authorisations AWS makes for an S3 call, as `action on resource`. */
async function refusedS3Call(entry: string, method: 'GET' | 'HEAD', key: string, versionId?: string): Promise<string[]> {
  const url = `/${BUCKET}/${key.split('/').map(encodeURIComponent).join('/')}${versionId ? `?versionId=${versionId}` : ''}`;
  const { authorizations } = classifyRequest('s3', { method, url, headers: {} });
  const { decisions } = await evaluator.authorize(functionOf(entry), authorizations);
  return decisions.filter((d) => d.result !== 'Allowed').map((d) => `${d.request.action} on ${d.request.resource}`);
}

/** Whether the role of `entry` may list the bucket, which S3 checks to tell it that an object it asked for is missing. */
async function seesMissingObjects(entry: string): Promise<boolean> {
  const { allowed } = await evaluator.authorize(functionOf(entry), [{ action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}` }]);
  return allowed;
}

// The handlers that read a CSV manifest at the version that was uploaded (the batch's `inputVersion`):
// `scanManifest` (HeadObject and GetObject with VersionId) and `readManifestRows` (GetObject with VersionId and a Range)
// in shared/use-cases/batches/read-rows.ts.
const MANIFEST_READERS = ['functions/batches/prepare-ingestion.ts', 'functions/batches/ingest-chunk.ts'];

describe('IAM permissions of the deployed roles, as AWS evaluates them', () => {
  it.each(MANIFEST_READERS)('lets %s read a manifest at its uploaded version (HeadObject and GetObject with VersionId)', async (entry) => {
    // Prepare
    const manifest = batchObjectKeys.manifest('ten_1', 'bat_1');

    // Act
    const refused = [
      ...(await refusedS3Call(entry, 'HEAD', manifest, '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY')),
      ...(await refusedS3Call(entry, 'GET', manifest, '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY')),
    ];

    // Assess
    expect(refused).toEqual([]);
  });

  it('lets every function that reads objects tell a missing one (404 NoSuchKey) from a refusal (403): s3:ListBucket', async () => {
    // Prepare: the readers (HeadObject → NotFound is "missing" in S3EvidenceStore.head and S3BatchFiles.size).
    const readers = [
      ['functions/s3/check-evidence.ts', 'evidence/ten_1/app_1/ev_1'],
      ['functions/batches/check-batch-evidence.ts', batchObjectKeys.evidence('ten_1', 'bev_1')],
      ...MANIFEST_READERS.map((entry) => [entry, batchObjectKeys.manifest('ten_1', 'bat_1')]),
      ...['functions/batches/finish-ingestion.ts', 'functions/batches/fail-ingestion.ts', 'functions/batches/ingest-chunk.ts'].map(
        (entry) => [entry, batchObjectKeys.reportPart('ten_1', 'bat_1', 0)],
      ),
      ['functions/http/get-batch-report.ts', batchObjectKeys.report('ten_1', 'bat_1')],
    ] as const;

    // Act
    const results = await Promise.all(
      readers.map(async ([entry, key]) => ({
        entry,
        readsIt: (await refusedS3Call(entry, 'HEAD', key)).length === 0,
        seesMissing: await seesMissingObjects(entry),
      })),
    );

    // Assess
    expect(results.filter((r) => !r.readsIt || !r.seesMissing)).toEqual([]);
  });

  it('gives s3:ListBucket only to functions that may read objects', async () => {
    // Prepare
    const entries = appFunctions(synth.serviceResources).map(([, fn]) => fn.Metadata?.['icp:entry'] as string);

    // Act
    const listing = [];
    for (const entry of entries) if (await seesMissingObjects(entry)) listing.push(entry);
    const readers = [];
    for (const entry of entries) {
      const reads = await Promise.all(
        ['evidence/t/a', 'batch-evidence/t/e', 'batch-files/t/b/report.csv', 'batch-manifests/t/b/manifest.csv'].map(
          async (key) => (await refusedS3Call(entry, 'GET', key)).length === 0,
        ),
      );
      if (reads.some(Boolean)) readers.push(entry);
    }

    // Assess
    expect(listing.sort()).toEqual(readers.sort());
  });
});
