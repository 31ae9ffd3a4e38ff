import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoApplicationRepository } from '../../../shared/adapters/dynamo/dynamo-application-repository.ts';
import { DynamoWebhookRepository } from '../../../shared/adapters/dynamo/dynamo-webhook-repository.ts';
import { ulidIds } from '../../../shared/adapters/ulid-ids.ts';
import { ConflictError } from '../../../shared/domain/errors.ts';
import type { Application } from '../../../shared/domain/records.ts';
import { changeStatus, eventFor } from '../../../shared/domain/status-change.ts';
import type { Deps } from '../../../shared/ports/deps.ts';
import { pendingDelivery } from '../../../shared/use-cases/webhooks/deliveries.ts';
import { resumeApplications } from '../../../infra/local/resume-applications.ts';
import { resumeDeliveries } from '../../../infra/local/resume-deliveries.ts';
import { anotherTestTable, startTestTable, TEST_CREDENTIALS, type TestTable } from '../../support/test-table.ts';
import { uniqueFilingNumber } from '../../support/fixtures.ts';
import { draftApplication } from '../use-cases/support/fixtures.ts';

/**
 * What the local runtime resumes when it starts again on a data folder (its executions lived in the memory of the
 * process that stopped), against DynamoDB Local: the start scans the table as the runtime does.
 */
describe('resuming after a restart', () => {
  let table: TestTable;
  let tables = 0;
  const saved = { ...process.env };
  const at = '2026-12-01T02:00:00.000Z';

  beforeAll(async () => {
    table = await startTestTable('resume-test');
    // The start-up scans use a client from the environment, as the runtime's own calls do.
    Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: table.endpoint, AWS_REGION: 'local', AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey });
  }, 60_000);

  afterAll(async () => {
    process.env = saved;
    await table?.stop();
  });

  /** A table of the test's own, so that its scan sees only what the test put there. */
  const freshTable = () => anotherTestTable(table, `resume-test-${++tables}`);

  async function submitted(applications: DynamoApplicationRepository): Promise<Application> {
    const draft = draftApplication({ id: ulidIds.next('app'), tenantId: 'tnt_test', createdAt: at, filingNumber: uniqueFilingNumber(), workflowRuns: 1 });
    await applications.create({ app: draft, outbox: eventFor(draft, 'application.created', ulidIds.next('evt'), at) });
    const change = changeStatus(draft, { to: 'submitted', detail: 'submitted', at, eventId: ulidIds.next('evt') });
    await applications.applyStatusChange(change);
    return change.next;
  }

  /** The applications port, with the first `update` beaten by another writer: `interfere` runs first, then a conflict. */
  function racedOnce(applications: DynamoApplicationRepository, interfere: (app: Application) => Promise<void> = async () => {}) {
    let raced = false;
    return new Proxy(applications, {
      get(target, property, receiver) {
        if (property !== 'update' || raced) return Reflect.get(target, property, receiver);
        return async (app: Application) => {
          raced = true;
          await interfere(app);
          throw new ConflictError(`Application ${app.id} changed meanwhile; read it again.`);
        };
      },
    });
  }

  it('gives an application a new run even when a write beat the resume to it (read again, not a failed start)', async () => {
    // Prepare: an application under way, and a client's call that changes it between the scan and the resume's write
    const { documents, tableName } = await freshTable();
    const applications = new DynamoApplicationRepository(documents, tableName);
    const app = await submitted(applications);
    const started: { applicationId: string; name: string }[] = [];
    const deps = {
      applications: racedOnce(applications, async (scanned) => void (await applications.update(scanned, { probe: { reachable: false, detail: 'changed meanwhile', checkedAt: at } }))),
      review: { start: async (input: { applicationId: string; name: string }) => void started.push(input) },
    } as unknown as Pick<Deps, 'applications' | 'review'>;

    // Act
    const resumed = await resumeApplications(deps, tableName);

    // Assess: one new run, numbered after the one that was lost, on the application as the other writer left it
    expect(resumed).toBe(1);
    expect(started).toEqual([{ applicationId: app.id, tenantId: app.tenantId, name: `${app.id}-2` }]);
    expect(await applications.get(app.id)).toMatchObject({ workflowRuns: 2, probe: { detail: 'changed meanwhile' } });
  });

  it('starts no run for an application that reached an end between the scan and the resume', async () => {
    // Prepare: withdrawn by the client while the resume was about to write
    const { documents, tableName } = await freshTable();
    const applications = new DynamoApplicationRepository(documents, tableName);
    await submitted(applications);
    const started: unknown[] = [];
    const deps = {
      applications: racedOnce(applications, async (scanned) => {
        await applications.applyStatusChange(changeStatus(scanned, { to: 'withdrawn', detail: 'withdrawn', at, eventId: ulidIds.next('evt') }));
      }),
      review: { start: async (input: unknown) => void started.push(input) },
    } as unknown as Pick<Deps, 'applications' | 'review'>;

    // Act
    const resumed = await resumeApplications(deps, tableName);

    // Assess
    expect(resumed).toBe(0);
    expect(started).toEqual([]);
  });

  it('starts the retry run of every delivery still pending, at once, and of no other', async () => {
    // Prepare: a delivery waiting in its (lost) retry run after a failed attempt, one of its second redelivery, and
    // one delivered
    const { documents, tableName } = await freshTable();
    const webhooks = new DynamoWebhookRepository(documents, tableName);
    const outbox = (n: number) => ({ eventId: `evt_${n}`, tenantId: 'tnt_test', event: { type: 'application.created', timestamp: at, data: {} } }) as never;
    const failedOnce = { ...pendingDelivery(outbox(1), 'whe_1', at), attempts: 1 };
    const redelivered = { ...pendingDelivery(outbox(2), 'whe_1', at), redeliveries: 2, attempts: 41 };
    const delivered = pendingDelivery(outbox(3), 'whe_1', at);
    for (const delivery of [failedOnce, redelivered, delivered]) await webhooks.createDelivery(delivery);
    await webhooks.setDeliveryStatus(delivered.deliveryId, 'delivered', at);
    const started: unknown[] = [];
    const deps = { delivery: { start: async (input: unknown) => void started.push(input) } } as unknown as Pick<Deps, 'delivery'>;

    // Act
    const resumed = await resumeDeliveries(deps, tableName);

    // Assess
    expect(resumed).toBe(2);
    expect(started).toHaveLength(2);
    expect(started).toEqual(
      expect.arrayContaining([
        { deliveryId: failedOnce.deliveryId, tenantId: 'tnt_test', run: 0, waitSeconds: 0 },
        { deliveryId: redelivered.deliveryId, tenantId: 'tnt_test', run: 2, waitSeconds: 0 },
      ]),
    );
  });
});
