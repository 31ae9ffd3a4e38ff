import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { makeDocumentClient } from '../../../shared/adapters/dynamo/client.ts';
import { DynamoFilingRegistryRepository } from '../../../shared/adapters/dynamo/dynamo-filing-registry-repository.ts';
import { TransientError } from '../../../shared/domain/errors.ts';
import { RegistryRecord } from '../../../shared/domain/filing-registry.ts';

const documents = mockClient(DynamoDBDocumentClient);
// The mocks replace the clients' `send` for every instance: put it back for the test files that share this process.
afterAll(() => {
  documents.restore();
});
const client = makeDocumentClient({ region: 'local', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const noSleep = async () => undefined;

const records = Array.from({ length: 60 }, (_, i) =>
  RegistryRecord.parse({
    filingNumber: `京ICP备10046444号-${i + 1}`,
    subjectFilingNumber: '京ICP备10046444号',
    subjectName: '示例科技有限公司',
    subjectType: 'enterprise',
    domains: [`site${i + 1}.example.cn`],
  }),
);

describe('DynamoFilingRegistryRepository.putRecords', () => {
  afterEach(() => documents.reset());

  it('writes 25 items per BatchWriteItem under the tenant, and sends again what DynamoDB left unprocessed', async () => {
    // Prepare
    const repository = new DynamoFilingRegistryRepository(client, 'records', noSleep);
    let first = true;
    documents.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => {
      if (!first) return {};
      first = false;
      return { UnprocessedItems: { records: (input.RequestItems.records ?? []).slice(0, 2) } };
    });

    // Act
    await repository.putRecords('tnt_1', records, '2026-03-02T02:00:00.000Z');

    // Assess
    const calls = documents.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.records ?? []);
    expect(calls.map((items) => items.length).sort((a, b) => a - b)).toEqual([2, 10, 25, 25]);
    const keys = calls.flat().map((r) => (r as { PutRequest: { Item: { pk: string; sk: string } } }).PutRequest.Item);
    expect(keys[0]).toMatchObject({ pk: 'TENANT#tnt_1', sk: expect.stringMatching(/^REGISTRY#京ICP备10046444号-\d+$/) });
    expect(new Set(keys.map((k) => k.sk)).size).toBe(60);
  });

  it('gives up with a TransientError when items stay unprocessed', async () => {
    // Prepare
    const repository = new DynamoFilingRegistryRepository(client, 'records', noSleep);
    documents.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({ UnprocessedItems: input.RequestItems }));

    // Act
    const writing = repository.putRecords('tnt_1', records.slice(0, 3), '2026-03-02T02:00:00.000Z');

    // Assess
    await expect(writing).rejects.toBeInstanceOf(TransientError);
  });
});
