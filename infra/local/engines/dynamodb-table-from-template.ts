import {
  type CreateTableCommandInput,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  type TableDescription,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import type { TableLayout } from './partition-writes.ts';

const KeySchema = z.array(z.object({ AttributeName: z.string(), KeyType: z.enum(['HASH', 'RANGE']) })).min(1);
const Projection = z.object({
  ProjectionType: z.enum(['ALL', 'KEYS_ONLY', 'INCLUDE']).optional(),
  NonKeyAttributes: z.array(z.string()).optional(),
});
const Throughput = z.object({ ReadCapacityUnits: z.number(), WriteCapacityUnits: z.number() });

/**
 * The part of an `AWS::DynamoDB::Table`'s `Properties` that shapes a table locally. Strings where CloudFormation
 * allows intrinsics, so a `{ "Ref": … }` left in fails here with its path instead of creating a wrong table.
 * Properties DynamoDB Local ignores or that only matter in AWS (encryption, PITR, deletion protection, tags, the
 * table name) are not read.
 */
const CfnTableProperties = z.object({
  KeySchema,
  AttributeDefinitions: z.array(z.object({ AttributeName: z.string(), AttributeType: z.enum(['S', 'N', 'B']) })),
  BillingMode: z.enum(['PAY_PER_REQUEST', 'PROVISIONED']).optional(),
  ProvisionedThroughput: Throughput.optional(),
  GlobalSecondaryIndexes: z
    .array(z.object({ IndexName: z.string(), KeySchema, Projection, ProvisionedThroughput: Throughput.optional() }))
    .optional(),
  LocalSecondaryIndexes: z.array(z.object({ IndexName: z.string(), KeySchema, Projection })).optional(),
  StreamSpecification: z
    .object({ StreamViewType: z.enum(['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES']) })
    .optional(),
  TimeToLiveSpecification: z.object({ AttributeName: z.string(), Enabled: z.boolean() }).optional(),
});

/** What {@link createTableFromTemplate} found or did. */
export interface TableFromTemplateResult {
  /** False when the table already existed (it is then left as it is, apart from enabling TTL). */
  created: boolean;
  /** False when an existing table's key schema is not the template's: its data does not fit the code. */
  keySchemaMatches: boolean;
  /** Global secondary indexes of the template that an existing table lacks (they are not added). */
  missingIndexes: string[];
}

/**
 * Creates a table as CloudFormation would from the `Properties` of an `AWS::DynamoDB::Table` resource of a
 * synthesized template (key schema, attributes, indexes, billing, stream), then enables its TTL.
 *
 * Idempotent: an existing table is left as it is (a data folder outlives template changes) and the result says
 * whether its key schema still matches and which indexes it lacks, for the caller to report.
 *
 * @param client a client of the engine (DynamoDB Local)
 * @param tableName the name to create; the template's own name is usually an intrinsic or absent
 * @param cfnTableProperties the resource's `Properties`, without intrinsic functions
 */
export async function createTableFromTemplate(
  client: DynamoDBClient,
  tableName: string,
  cfnTableProperties: unknown,
): Promise<TableFromTemplateResult> {
  const props = CfnTableProperties.parse(cfnTableProperties);
  const input: CreateTableCommandInput = {
    TableName: tableName,
    KeySchema: props.KeySchema,
    AttributeDefinitions: props.AttributeDefinitions,
    BillingMode: props.BillingMode,
    ProvisionedThroughput: props.ProvisionedThroughput,
    GlobalSecondaryIndexes: props.GlobalSecondaryIndexes,
    LocalSecondaryIndexes: props.LocalSecondaryIndexes,
    StreamSpecification: props.StreamSpecification && {
      StreamEnabled: true,
      StreamViewType: props.StreamSpecification.StreamViewType,
    },
  };

  let result: TableFromTemplateResult = { created: true, keySchemaMatches: true, missingIndexes: [] };
  const existing = await describeTable(client, tableName);
  if (existing) {
    result = compare(existing, props);
  } else {
    try {
      await client.send(new CreateTableCommand(input));
    } catch (error) {
      // Someone else created it between our describe and create.
      if ((error as Error).name !== 'ResourceInUseException') throw error;
      const table = await describeTable(client, tableName);
      if (table) result = compare(table, props);
    }
  }
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });

  const ttl = props.TimeToLiveSpecification;
  if (ttl?.Enabled) await enableTimeToLive(client, tableName, ttl.AttributeName);
  return result;
}

/** The key attributes of the table and its global secondary indexes, as the template defines them. */
export function tableLayoutOf(tableName: string, cfnTableProperties: unknown): TableLayout {
  const props = CfnTableProperties.parse(cfnTableProperties);
  const keysOf = (schema: z.infer<typeof KeySchema>) => {
    const sortKey = schema.find((k) => k.KeyType === 'RANGE')?.AttributeName;
    return { partitionKey: schema.find((k) => k.KeyType === 'HASH')?.AttributeName ?? '', ...(sortKey ? { sortKey } : {}) };
  };
  return {
    tableName,
    ...keysOf(props.KeySchema),
    indexes: (props.GlobalSecondaryIndexes ?? []).map((index) => ({
      name: index.IndexName,
      ...keysOf(index.KeySchema),
      projection: index.Projection.ProjectionType ?? 'KEYS_ONLY',
    })),
  };
}

async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

function compare(table: TableDescription, props: z.infer<typeof CfnTableProperties>): TableFromTemplateResult {
  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  return {
    created: false,
    keySchemaMatches: sameKeySchema(table.KeySchema ?? [], props.KeySchema),
    missingIndexes: (props.GlobalSecondaryIndexes ?? [])
      .map((index) => index.IndexName)
      .filter((name) => !present.has(name)),
  };
}

function sameKeySchema(actual: KeySchemaElement[], expected: KeySchemaElement[]): boolean {
  const key = (schema: KeySchemaElement[]) =>
    schema.map((element) => `${element.KeyType}:${element.AttributeName}`).sort().join(',');
  return key(actual) === key(expected);
}

/** Enables TTL unless it already is: DynamoDB refuses to enable it twice. */
async function enableTimeToLive(client: DynamoDBClient, tableName: string, attributeName: string): Promise<void> {
  const current = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = current.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: attributeName, Enabled: true },
    }),
  );
}
