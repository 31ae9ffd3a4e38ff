import { DeleteTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { join } from 'node:path';
import { makeDocumentClient } from '../../shared/adapters/dynamo/client.ts';
import { createTableFromTemplate, type DynamoDbLocal, startDynamoDbLocal } from '../../infra/local/engines/dynamodb-local.ts';
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
 * from what is deployed), empty, on an in-memory DynamoDB Local: for use-case and adapter tests that need the real
 * engine (transactions, conditions, GSIs). The synthesized template is cached.
 *
 * The engine is the test process's one (`sharedEngine`): the files of a vitest worker run one after another in it and
 * each starts with no table at all. `stop()` drops every table, not the engine.
 */
export async function startTestTable(tableName = 'records-test'): Promise<TestTable> {
  const [, dynamo] = await Promise.all([tableProperties(), sharedEngine()]);
  const config = { endpoint: dynamo.endpoint, region: 'local', credentials: TEST_CREDENTIALS };
  // Left by a file that ended before its `stop()`: dropped, or its items would be this file's.
  await dropTables(dynamo.endpoint);
  const table = { endpoint: dynamo.endpoint, documents: makeDocumentClient(config), tableName, stop: () => dropTables(dynamo.endpoint) };
  await anotherTestTable(table, tableName);
  return table;
}

let engine: Promise<DynamoDbLocal> | undefined;

/**
 * One DynamoDB Local for every test file of this process: Java's start is four CPU-seconds, and twenty-six files use
 * a table (a tenth of a clean clone's `npm test` on two cores). It ends with the process (`startDynamoDbLocal` kills it
 * on exit, and its watchdog when the process dies).
 */
function sharedEngine(): Promise<DynamoDbLocal> {
  engine ??= startDynamoDbLocal({}).catch((error: unknown) => {
    engine = undefined;
    throw error;
  });
  return engine;
}

/** Deletes every table of the engine. */
async function dropTables(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: TEST_CREDENTIALS });
  try {
    // Each page deleted before the next is asked for: what is left starts the listing again.
    for (let page = await client.send(new ListTablesCommand({})); (page.TableNames ?? []).length > 0; page = await client.send(new ListTablesCommand({}))) {
      await Promise.all((page.TableNames ?? []).map((TableName) => client.send(new DeleteTableCommand({ TableName }))));
    }
  } finally {
    client.destroy();
  }
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
