import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BATCH_EVIDENCE_PREFIX, BATCH_FILES_PREFIX, BATCH_MANIFEST_PREFIX } from '../../shared/use-cases/batches/batch-keys.ts';
import { listBucket } from './evidence-store.ts';
import { acknowledgeWildcardResource } from './nag.ts';

/**
 * What a function may do with batch objects; each is one managed policy (its object actions on one prefix).
 *
 * The reads also allow `s3:ListBucket` on the bucket (`seesMissing`; see {@link listBucket}), so that a missing
 * object is a 404 the adapters handle (`S3BatchFiles.size`), not a 403.
 */
export const BATCH_OBJECT_ACCESS = {
  /** Presign manifest uploads. */
  putManifests: { actions: ['s3:PutObject'], prefix: BATCH_MANIFEST_PREFIX },
  /**
   * Read manifests (ingestion), at the version that was uploaded (`VersionId` on HeadObject and GetObject needs
   * `s3:GetObjectVersion`; the bucket is versioned, so every uploaded manifest has one).
   */
  readManifests: { actions: ['s3:GetObject', 's3:GetObjectVersion'], prefix: BATCH_MANIFEST_PREFIX, seesMissing: true },
  /** Presign shared evidence uploads. */
  putEvidence: { actions: ['s3:PutObject'], prefix: BATCH_EVIDENCE_PREFIX },
  /** Read shared evidence (its upload check). */
  readEvidence: { actions: ['s3:GetObject'], prefix: BATCH_EVIDENCE_PREFIX, seesMissing: true },
  /** Write inline items, report parts and reports. */
  writeFiles: { actions: ['s3:PutObject'], prefix: BATCH_FILES_PREFIX },
  /** Read inline items, report parts and reports (and presign report downloads). */
  readFiles: { actions: ['s3:GetObject'], prefix: BATCH_FILES_PREFIX, seesMissing: true },
} as const satisfies Record<string, { actions: readonly string[]; prefix: string; seesMissing?: true }>;
export type BatchObjectAccessKind = keyof typeof BATCH_OBJECT_ACCESS;

export type BatchObjectPolicies = Record<BatchObjectAccessKind, iam.IManagedPolicy>;

/**
 * Managed policies for batch objects in the evidence bucket, next to the bucket (like `EvidenceStore`'s), so that each
 * prefix wildcard is acknowledged by its exact name; the service stack attaches to each function the ones its
 * catalog entry names.
 */
export class BatchObjectAccess extends Construct {
  readonly policies: BatchObjectPolicies;

  constructor(scope: Construct, id: string, props: { bucket: s3.IBucket }) {
    super(scope, id);
    const entries = Object.entries(BATCH_OBJECT_ACCESS).map(([kind, access]) => {
      const { actions, prefix } = access;
      const seesMissing = 'seesMissing' in access;
      const objects = props.bucket.arnForObjects(`${prefix}*`);
      const policy = new iam.ManagedPolicy(this, kind.charAt(0).toUpperCase() + kind.slice(1), {
        description: `${actions.join(', ')} on ${prefix}* objects only (bulk batches)${seesMissing ? '; s3:ListBucket, so a missing one is a 404' : ''}`,
        statements: [
          new iam.PolicyStatement({ actions: [...actions], resources: [objects] }),
          ...(seesMissing ? [listBucket(props.bucket)] : []),
        ],
      });
      acknowledgeWildcardResource(
        policy,
        objects,
        `Object-level wildcard limited to the ${prefix} prefix of the one bucket: keys are generated per tenant and batch.`,
      );
      return [kind, policy] as const;
    });
    this.policies = Object.fromEntries(entries) as unknown as BatchObjectPolicies;
  }
}

