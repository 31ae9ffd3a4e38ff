import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { join } from 'node:path';
import { makeDocumentClient } from '../../shared/adapters/dynamo/client.ts';
import { createTableFromTemplate, startDynamoDbLocal } from '../../infra/local/engines/dynamodb-local.ts';
import { REPO_ROOT } from '../../infra/local/runtime.ts';
import { synthesizeTemplates } from '../../infra/local/synthesize.ts';
import { readWiring } from '../../infra/local/template-wiring.ts';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface TestTable {
  endpoint: string;
  documents: DynamoDBDocumentClient;
  tableName: string;
  stop(): Promise<void>;
}

/**
 * The records table exactly as the data stack defines it (read from the synthesized template, so tests cannot drift
 * from what is deployed), on an in-memory DynamoDB Local: for use-case and adapter tests that need the real engine
 * (transactions, conditions, GSIs). The synthesized template is cached.
 */
export async function startTestTable(tableName = 'records-test'): Promise<TestTable> {
  const [, dynamo] = await Promise.all([tableProperties(), startDynamoDbLocal({})]);
  const config = { endpoint: dynamo.endpoint, region: 'local', credentials: TEST_CREDENTIALS };
  const table = { endpoint: dynamo.endpoint, documents: makeDocumentClient(config), tableName, stop: dynamo.stop };
  await anotherTestTable(table, tableName);
  return table;
}

/** Another empty records table on the same DynamoDB Local (for tests that each need a table of their own). */
export async function anotherTestTable(on: TestTable, tableName: string): Promise<TestTable> {
  const client = new DynamoDBClient({ endpoint: on.endpoint, region: 'local', credentials: TEST_CREDENTIALS });
  await createTableFromTemplate(client, tableName, await tableProperties());
  client.destroy();
  return { ...on, tableName };
}

let properties: Promise<Record<string, unknown>> | undefined;

/** The table's properties in the synthesized data stack (the synthesis is cached). */
function tableProperties(): Promise<Record<string, unknown>> {
  properties ??= synthesizeTemplates(REPO_ROOT, join(REPO_ROOT, 'node_modules', '.cache', 'icp-cancel')).then(
    (templates) => readWiring(templates.data, templates.service).tableProperties,
  );
  return properties;
}
