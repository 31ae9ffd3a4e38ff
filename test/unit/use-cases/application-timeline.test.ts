import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { changeStatus } from '../../../shared/domain/status-change.ts';
import { creationEntry } from '../../../shared/use-cases/application-timeline.ts';
import { applicationIdFor } from '../../../shared/use-cases/batches/batch-keys.ts';
import { createApplication } from '../../../shared/use-cases/create-application.ts';
import { getApplication } from '../../../shared/use-cases/read-applications.ts';
import { websiteApplication } from './support/fixtures.ts';
import { agency, type LocalTable, withLocalTable, TABLE, type TestDeps, testDeps } from './support/local-deps.ts';

describe('the timeline: the creation read off the application, every later change stored', { timeout: 30_000 }, () => {
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
});
