import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { BatchObjectAccess, type BatchObjectPolicies } from '../constructs/batch-object-access.ts';
import { EvidenceStore, type EvidenceAccess } from '../constructs/evidence-store.ts';
import { RecordsTable } from '../constructs/records-table.ts';

/**
 * The stateful half: the records table and the evidence bucket. Kept apart from the service stack so that the
 * service can be replaced, renamed or torn down freely while the data stays; termination protection guards the rest.
 */
export class DataStack extends Stack {
  readonly table: dynamodb.Table;
  readonly bucket: s3.Bucket;
  readonly evidenceAccess: EvidenceAccess;
  /** Policies for bulk batches' objects (manifests, shared evidence, reports) in the same bucket. */
  readonly batchObjects: BatchObjectPolicies;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { terminationProtection: true, ...props });
    this.table = new RecordsTable(this, 'Records').table;
    const evidence = new EvidenceStore(this, 'Evidence');
    this.bucket = evidence.bucket;
    this.evidenceAccess = evidence.access;
    this.batchObjects = new BatchObjectAccess(this, 'BatchObjects', { bucket: evidence.bucket }).policies;
  }
}
