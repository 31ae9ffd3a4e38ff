import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { makeDocumentClient } from '../../../shared/adapters/dynamo/client.ts';
import { DynamoApplicationRepository } from '../../../shared/adapters/dynamo/dynamo-application-repository.ts';
import { listShard } from '../../../shared/adapters/dynamo/keys.ts';
import { ConflictError, TransientError } from '../../../shared/domain/errors.ts';
import type { Application } from '../../../shared/domain/records.ts';
import { changeStatus, eventFor } from '../../../shared/domain/status-change.ts';

const documents = makeDocumentClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const ddb = mockClient(documents);
const dynamo = mockClient(DynamoDBClient);
// The mocks replace the clients' `send` for every instance: put it back for the test files that share this process.
afterAll(() => {
  ddb.restore();
  dynamo.restore();
});

const at = '2026-11-29T00:00:00.000Z';
const app: Application = {
  kind: 'cancel_website',
  filingNumber: '京ICP备2020123456号-2',
  websiteName: 'Example',
  domains: ['example.cn'],
  subject: { name: '示例科技有限公司', type: 'enterprise' },
  reason: 'business_change',
  siteState: { state: 'closed', since: '2026-11-01' },
  id: 'app_1',
  tenantId: 'tnt_1',
  status: 'under_review',
  attempt: 1,
  sequence: 3,
  version: 7,
  requiredEvidence: ['closure_proof'],
  rejectionReasons: [],
  workflowRuns: 1,
  createdAt: at,
  updatedAt: at,
};

function cancelled(...codes: string[]): Error {
  return Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    CancellationReasons: codes.map((Code) => ({ Code })),
    $metadata: {},
  });
}

describe('DynamoApplicationRepository', () => {
  beforeEach(() => ddb.reset());

  it('writes a status change as one transaction guarded by version and status; an approved website cancellation leaves its guard as a tombstone', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).resolves({});
    const repository = new DynamoApplicationRepository(documents, 'records');
    const change = changeStatus(app, { to: 'approved', detail: 'Approved', at, eventId: 'evt_9' });

    // Act
    await repository.applyStatusChange(change);

    // Assess
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(4);
    expect(items[0]?.Put).toMatchObject({
      Item: { pk: 'APP#app_1', sk: 'APP', status: 'approved', version: 8, sequence: 4, gsi1pk: listShard('TENANT#tnt_1#APPS', 'app_1') },
      ConditionExpression: '#version = :version AND #status = :status',
      ExpressionAttributeValues: { ':version': 7, ':status': 'under_review' },
    });
    expect(items[1]?.Put?.Item).toMatchObject({ pk: 'APP#app_1', sk: 'TL#000004', status: 'approved' });
    expect(items[2]?.Put?.Item).toMatchObject({ pk: 'EVENT#evt_9', entity: 'event', event: { type: 'application.approved' } });
    expect(items.at(-1)?.Put).toMatchObject({
      Item: { pk: 'FILING#BJ:ICP备2020123456号-2', sk: 'OPEN', state: 'cancelled', applicationId: 'app_1', cancelledAt: at },
      ConditionExpression: 'attribute_not_exists(pk) OR applicationId = :id',
    });
  });

  it.each([
    ['a final rejection', 'rejected_final', 'cancel_website'],
    ['an approved access removal (the filing stays)', 'approved', 'cancel_access'],
  ] as const)('releases the filing guard on %s', async (_what, to, kind) => {
    // Prepare
    ddb.on(TransactWriteCommand).resolves({});
    const repository = new DynamoApplicationRepository(documents, 'records');
    const change = changeStatus({ ...app, kind }, { to, detail: to, at, eventId: 'evt_9' });

    // Act
    await repository.applyStatusChange(change);

    // Assess
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.at(-1)?.Delete).toMatchObject({ Key: { pk: 'FILING#BJ:ICP备2020123456号-2', sk: 'OPEN' } });
  });

  it('reports a lost race as ConflictError and throttling as TransientError', async () => {
    // Prepare
    const repository = new DynamoApplicationRepository(documents, 'records');
    const change = changeStatus(app, { to: 'rejected', detail: 'Rejected', at, eventId: 'evt_10' });

    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'None'))
      .rejectsOnce(cancelled('None', 'TransactionConflict', 'None'));

    // Act
    const lost = await repository.applyStatusChange(change).catch((e: unknown) => e);
    const busy = await repository.applyStatusChange(change).catch((e: unknown) => e);

    // Assess
    expect(lost).toBeInstanceOf(ConflictError);
    expect(busy).toBeInstanceOf(TransientError);
  });

  it('answers a second order on a filing with 409 naming the open application only to its own tenant', async () => {
    // Prepare
    const repository = new DynamoApplicationRepository(documents, 'records');
    const draft: Application = { ...app, id: 'app_2', status: 'draft', sequence: 1, version: 1 };
    const input = { app: draft, outbox: eventFor(draft, 'application.created', 'evt_11', at) };
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'ConditionalCheckFailed'));
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: { applicationId: 'app_1', tenantId: 'tnt_1' } })
      .resolvesOnce({ Item: { applicationId: 'app_x', tenantId: 'tnt_other' } });

    // Act
    const same = await repository.create(input).catch((e: unknown) => e);
    const other = await repository.create(input).catch((e: unknown) => e);

    // Assess
    expect(same).toBeInstanceOf(ConflictError);
    expect((same as ConflictError).extensions).toEqual({ openApplicationId: 'app_1' });
    expect((same as ConflictError).errors[0]).toMatchObject({ path: 'filingNumber', code: 'order_in_progress' });
    expect((other as ConflictError).extensions).toEqual({});
  });
});
