import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BATCH_EVIDENCE_PREFIX, BATCH_FILES_PREFIX, BATCH_MANIFEST_PREFIX } from '../../shared/use-cases/batches/batch-keys.ts';
import { acknowledgeWildcardResource } from './nag.ts';

/** What a function may do with batch objects; each is one managed policy (one action on one prefix). */
export const BATCH_OBJECT_ACCESS = {
  /** Presign manifest uploads. */
  putManifests: { action: 's3:PutObject', prefix: BATCH_MANIFEST_PREFIX },
  /** Read manifests (ingestion). */
  readManifests: { action: 's3:GetObject', prefix: BATCH_MANIFEST_PREFIX },
  /** Presign shared evidence uploads. */
  putEvidence: { action: 's3:PutObject', prefix: BATCH_EVIDENCE_PREFIX },
  /** Read shared evidence (its upload check). */
  readEvidence: { action: 's3:GetObject', prefix: BATCH_EVIDENCE_PREFIX },
  /** Write inline items, report parts and reports. */
  writeFiles: { action: 's3:PutObject', prefix: BATCH_FILES_PREFIX },
  /** Read inline items, report parts and reports (and presign report downloads). */
  readFiles: { action: 's3:GetObject', prefix: BATCH_FILES_PREFIX },
} as const;
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
    const entries = Object.entries(BATCH_OBJECT_ACCESS).map(([kind, { action, prefix }]) => {
      const objects = props.bucket.arnForObjects(`${prefix}*`);
      const policy = new iam.ManagedPolicy(this, kind.charAt(0).toUpperCase() + kind.slice(1), {
        description: `${action} on ${prefix}* objects only (bulk batches)`,
        statements: [new iam.PolicyStatement({ actions: [action], resources: [objects] })],
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
