import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { changeStatus } from '../../../shared/domain/status-change.ts';
import { creationEntry } from '../../../shared/use-cases/application-timeline.ts';
import { applicationIdFor } from '../../../shared/use-cases/batches/batch-keys.ts';
import { createApplication } from '../../../shared/use-cases/create-application.ts';
import { getApplication } from '../../../shared/use-cases/read-applications.ts';
import { applicationItem } from '../../../shared/adapters/dynamo/keys.ts';
import { draftApplication, websiteApplication } from './support/fixtures.ts';
import { agency, type LocalTable, withLocalTable, TABLE, type TestDeps, testDeps } from './support/local-deps.ts';

describe('the timeline: the creation (and a submission with it) read off the application, every later change stored', { timeout: 30_000 }, () => {
  let table: LocalTable;
  let deps: TestDeps;
  withLocalTable((t) => {
    table = t;
    deps = testDeps(t);
  });

  const storedEntries = async (id: string) =>
    (
      await table.documents.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tl)',
          ExpressionAttributeValues: { ':pk': `APP#${id}`, ':tl': 'TL#' },
        }),
      )
    ).Items ?? [];

  it('shows the creation as entry 1 without storing it, and the changes after it in order', async () => {
    // Prepare
    const principal = agency();
    const { app } = await createApplication(deps, principal, websiteApplication());
    const storedAfterCreation = await storedEntries(app.id);
    const change = changeStatus(app, { to: 'withdrawn', detail: 'Withdrawn by the agency', at: '2026-11-29T02:00:00.000Z', eventId: deps.ids.next('evt') });
    await deps.applications.applyStatusChange(change);

    // Act
    const view = await getApplication(deps, principal, app.id);

    // Assess
    expect(storedAfterCreation).toEqual([]);
    expect(view.timeline).toEqual([
      { sequence: 1, status: 'draft', at: app.createdAt, detail: 'Application created' },
      { sequence: 2, status: 'withdrawn', at: '2026-11-29T02:00:00.000Z', detail: 'Withdrawn by the agency' },
    ]);
  });

  it('names the batch and the row an application came from', () => {
    // Prepare
    const id = applicationIdFor('bat_01abc', 42);

    // Act
    const entry = creationEntry({ id, batchId: 'bat_01abc', createdAt: '2026-11-29T01:00:00.000Z' });

    // Assess
    expect(entry).toEqual({ sequence: 1, status: 'draft', at: '2026-11-29T01:00:00.000Z', detail: 'Application created (batch bat_01abc, row 42)' });
  });

  it('keeps a creation entry stored by an earlier version as it is, once', async () => {
    // Prepare
    const principal = agency();
    const { app } = await createApplication(deps, principal, websiteApplication());
    await table.documents.send(
      new PutCommand({
        TableName: TABLE,
        Item: { pk: `APP#${app.id}`, sk: 'TL#000001', entity: 'timeline', sequence: 1, status: 'draft', at: app.createdAt, detail: 'Created (stored)' },
      }),
    );

    // Act
    const view = await getApplication(deps, principal, app.id);

    // Assess
    expect(view.timeline).toEqual([{ sequence: 1, status: 'draft', at: app.createdAt, detail: 'Created (stored)' }]);
  });

  it('reads the submission of a batch row created submitted off the application too, before the changes stored after it', async () => {
    // Prepare: a row of a batch submitted `immediately`, as ingestion writes it, then taken under review
    const principal = agency();
    const createdAt = '2026-11-30T01:00:00.000Z';
    const id = applicationIdFor('bat_01timeline', 7);
    const submitted = draftApplication({ id, tenantId: principal.tenantId, createdAt, batchId: 'bat_01timeline', status: 'submitted', sequence: 2, workflowRuns: 1, submittedOnCreation: true });
    await table.documents.send(new PutCommand({ TableName: TABLE, Item: applicationItem(submitted) }));
    const storedAtIngestion = await storedEntries(id);
    await deps.applications.applyStatusChange(changeStatus(submitted, { to: 'under_review', detail: 'Taken up', at: '2026-11-30T02:00:00.000Z', eventId: deps.ids.next('evt') }));

    // Act
    const view = await getApplication(deps, principal, id);

    // Assess
    expect(storedAtIngestion).toEqual([]);
    expect(view.timeline).toEqual([
      { sequence: 1, status: 'draft', at: createdAt, detail: 'Application created (batch bat_01timeline, row 7)' },
      { sequence: 2, status: 'submitted', at: createdAt, detail: 'Submitted for review' },
      { sequence: 3, status: 'under_review', at: '2026-11-30T02:00:00.000Z', detail: 'Taken up' },
    ]);
  });

  it('keeps a submission entry stored by an earlier version as it is, once', async () => {
    // Prepare
    const principal = agency();
    const id = applicationIdFor('bat_01legacy', 1);
    const submitted = draftApplication({ id, tenantId: principal.tenantId, createdAt: '2026-11-30T01:00:00.000Z', batchId: 'bat_01legacy', status: 'submitted', sequence: 2, submittedOnCreation: true });
    await table.documents.send(new PutCommand({ TableName: TABLE, Item: applicationItem(submitted) }));
    await table.documents.send(
      new PutCommand({
        TableName: TABLE,
        Item: { pk: `APP#${id}`, sk: 'TL#000002', entity: 'timeline', sequence: 2, status: 'submitted', at: submitted.createdAt, detail: 'Submitted (stored)' },
      }),
    );

    // Act
    const view = await getApplication(deps, principal, id);

    // Assess
    expect(view.timeline.map((t) => t.detail)).toEqual(['Application created (batch bat_01legacy, row 1)', 'Submitted (stored)']);
  });
});
