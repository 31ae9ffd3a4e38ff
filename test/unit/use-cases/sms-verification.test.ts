import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { ApplicationInput } from '../../../shared/domain/application.ts';
import type { Application, Principal } from '../../../shared/domain/records.ts';
import { changeStatus } from '../../../shared/domain/status-change.ts';
import { getApplication } from '../../../shared/use-cases/read-applications.ts';
import { createApplication } from '../../../shared/use-cases/create-application.ts';
import { recordDecision } from '../../../shared/use-cases/record-decision.ts';
import { recordSmsVerification } from '../../../shared/use-cases/record-sms-verification.ts';
import { websiteApplication } from './support/fixtures.ts';
import { agency, type LocalTable, operatorOf, withLocalTable, TABLE, type TestDeps, testDeps } from './support/local-deps.ts';

const NOW = '2026-03-02T02:00:00.000Z';

describe("the authority's SMS verification", { timeout: 30_000 }, () => {
  let table: LocalTable;
  let deps: TestDeps;
  withLocalTable((t) => {
    table = t;
    deps = testDeps(t, { now: NOW });
  });

  /** An application the authority has: created, submitted, handed over. */
  async function underReview(principal: Principal, input: ApplicationInput = websiteApplication()): Promise<Application> {
    const { app } = await createApplication(deps, principal, input);
    let current = app;
    for (const to of ['submitted', 'under_review'] as const) {
      const change = changeStatus(current, { to, detail: to, at: NOW, eventId: deps.ids.next('evt') });
      await deps.applications.applyStatusChange(change);
      current = change.next;
    }
    return current;
  }

  const eventsOf = async (applicationId: string, type: string) =>
    (
      await table.documents.send(
        new ScanCommand({
          TableName: TABLE,
          FilterExpression: 'entity = :event AND #event.#type = :type AND #event.#data.applicationId = :id',
          ExpressionAttributeNames: { '#event': 'event', '#type': 'type', '#data': 'data' },
          ExpressionAttributeValues: { ':event': 'event', ':type': type, ':id': applicationId },
        }),
      )
    ).Items ?? [];

  it('tells the customer once, with who got the code and the 24-hour deadline, and shows it on the application', async () => {
    // Prepare
    const principal = agency();
    const app = await underReview(principal);

    // Act
    const recorded = await recordSmsVerification(deps, operatorOf(principal), app.id, { sentAt: '2026-03-02T01:30:00.000Z' });
    const again = await recordSmsVerification(deps, operatorOf(principal), app.id, {});
    const view = await getApplication(deps, principal, app.id);

    // Assess
    const expected = { by: 'website_principal', sentAt: '2026-03-02T01:30:00.000Z', expiresAt: '2026-03-03T01:30:00.000Z', maxAttempts: 5 };
    expect(recorded.smsVerification).toEqual({ attempt: 1, by: 'website_principal', sentAt: expected.sentAt, expiresAt: expected.expiresAt });
    expect(again.version).toBe(recorded.version);
    expect(view).toMatchObject({ status: 'under_review', smsVerification: expected });
    const events = await eventsOf(app.id, 'application.verification_required');
    expect(events.map((e) => (e.event as { data: unknown }).data)).toEqual([expect.objectContaining({ status: 'under_review', verification: expected })]);
  });

  it('names the subject principal for a subject cancellation', async () => {
    // Prepare
    const principal = agency();
    const website = websiteApplication();
    const app = await underReview(principal, { ...website, kind: 'cancel_subject', filingNumber: website.filingNumber.replace(/-1$/, '') });

    // Act
    const recorded = await recordSmsVerification(deps, operatorOf(principal), app.id, {});

    // Assess
    expect(recorded.smsVerification).toMatchObject({ by: 'subject_principal', sentAt: NOW });
  });

  it.each([
    ['an agency key', (p: Principal) => p, {}, 'ForbiddenError'],
    ['a sentAt in the future', operatorOf, { sentAt: '2026-03-02T03:00:00.000Z' }, 'ValidationError'],
    ['a sentAt over 24 hours ago', operatorOf, { sentAt: '2026-02-28T23:00:00.000Z' }, 'ValidationError'],
  ] as const)('refuses %s, changing nothing', async (_what, as, notice, error) => {
    // Prepare
    const principal = agency();
    const app = await underReview(principal);

    // Act
    const refused = await recordSmsVerification(deps, as(principal), app.id, notice).catch((e: unknown) => e);

    // Assess
    expect(refused).toMatchObject({ name: error });
    expect((await deps.applications.get(app.id))?.smsVerification).toBeUndefined();
    expect(await eventsOf(app.id, 'application.verification_required')).toEqual([]);
  });

  it('refuses access removal (no SMS), a draft, and a review already decided', async () => {
    // Prepare
    const principal = agency();
    const access = await underReview(principal, websiteApplication({ kind: 'cancel_access' }));
    const { app: draft } = await createApplication(deps, principal, websiteApplication());
    const decided = await underReview(principal);
    await recordDecision(deps, operatorOf(principal), decided.id, { outcome: 'approved' });

    // Act
    const results = await Promise.all(
      [access.id, draft.id, decided.id].map((id) => recordSmsVerification(deps, operatorOf(principal), id, {}).catch((e: unknown) => e)),
    );

    // Assess
    expect(results[0]).toMatchObject({ name: 'UnprocessableError', errors: [{ path: 'kind', code: 'no_sms_verification' }] });
    expect(results[1]).toMatchObject({ name: 'ConflictError', extensions: { applicationStatus: 'draft' } });
    expect(results[2]).toMatchObject({ name: 'ConflictError' });
  });
});
