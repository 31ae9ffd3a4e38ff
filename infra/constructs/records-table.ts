import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { KEY_USE_PREFIX } from '../../shared/adapters/dynamo/keys.ts';

/**
 * The table's secondary indexes; each is named for the access pattern it serves. Partition keys are a list's shards
 * (`keys.ts`), sort keys the creation time and id, so each list reads newest first.
 */
export const TABLE_INDEXES = {
  /** A tenant's applications, a tenant's batches, an endpoint's deliveries. */
  byTenant: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** A batch's applications (bulk submissions). */
  byBatch: { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
} as const;

const READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
// Transactions need no actions of their own: TransactWriteItems is authorized item by item with these.
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/**
 * The one DynamoDB table of the single-table design: applications, timelines, evidence, webhook endpoints,
 * deliveries and the outbox of events, keyed `pk`/`sk`.
 *
 * - On-demand: traffic is bursty (bulk batches) and small on average.
 * - Encrypted with the AWS-managed key (`aws/dynamodb`): key use is visible in CloudTrail without a key policy to run,
 *   and unlike a customer-managed key no function, stream consumer or restore needs a KMS grant; there is no
 *   cross-account access that would call for a customer-managed key.
 * - PITR, deletion protection and RETAIN: this is the system's record.
 * - TTL on `expiresAt` clears idempotency records, and events and delivery logs past their retention
 *   (`EVENT_RETENTION_DAYS`).
 * - The stream (new images) carries the outbox: every status change writes an `entity = "event"` item that the
 *   dispatcher turns into webhook deliveries.
 * - The indexes project the keys only. A list shows nearly the whole item (an application as `GET
 *   /v1/applications/{id}` shows it but for evidence and timeline; a batch or a delivery whole), so an INCLUDE
 *   projection would copy most of the item, and the status and `updatedAt` every change sets are shown: every status
 *   change, every ingestion step of a batch, every delivery attempt would rewrite the index item, as ALL did. Keys only,
 *   an index is written when an item enters it (and never again: its keys do not change), and a list reads its page's
 *   items from the table instead (BatchGetItem, half a read unit an item). An application changes status about six
 *   times, each rewrite at least a write unit in each index it is in ($1.25 a million) where reading it for a list costs
 *   half a read unit ($0.25 a million): it would have to be listed some sixty times in its life before reading it from
 *   the table cost more than projecting it.
 */
export class RecordsTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: 'expiresAt',
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    for (const index of Object.values(TABLE_INDEXES)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      });
    }
  }
}

/** The table and its named indexes, without the `index/*` wildcard of `Table.grantReadData`. */
function tableResources(table: dynamodb.ITable): string[] {
  return [table.tableArn, ...Object.values(TABLE_INDEXES).map((i) => `${table.tableArn}/index/${i.indexName}`)];
}

/** Reads (get, query, condition checks) on the table and its indexes; no scans. */
export function grantTableRead(table: dynamodb.ITable, grantee: iam.IGrantable): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions: READ_ACTIONS, resourceArns: tableResources(table) });
}

/** Reads plus item writes on the table itself (put, update, delete, batch write, and so transactions). */
export function grantTableReadWrite(table: dynamodb.ITable, grantee: iam.IGrantable): iam.Grant {
  return grantTableRead(table, grantee).combine(
    iam.Grant.addToPrincipal({ grantee, actions: WRITE_ACTIONS, resourceArns: [table.tableArn] }),
  );
}

/**
 * Recording when an API key was last used (`recordKeyUse`), which every API function does after a request that
 * succeeded, read-only ones too: `UpdateItem` on the key-use items only (partition keys `KEYUSE#…`, by
 * `dynamodb:LeadingKeys`; the `Null` test refuses a request that names no partition key, which `ForAllValues` alone
 * would let through). The key items themselves (tenant, scopes, revocation) stay out of their reach.
 */
export function grantKeyUseRecording(table: dynamodb.ITable, grantee: iam.IGrantable): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['dynamodb:UpdateItem'],
    resourceArns: [table.tableArn],
    conditions: {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${KEY_USE_PREFIX}*`] },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    },
  });
}
