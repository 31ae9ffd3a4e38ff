import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../shared/domain/errors.ts';
import type { Application } from '../../../shared/domain/records.ts';
import { changeStatus } from '../../../shared/domain/status-change.ts';
import { draftApplication } from '../use-cases/support/fixtures.ts';

function draft(overrides: Partial<Application> = {}): Application {
  return draftApplication({ id: 'app_1', tenantId: 'tnt_1', createdAt: '2026-11-29T00:00:00.000Z', filingNumber: '京ICP备10046444号-9', customerRef: 'cust-7', ...overrides });
}

describe('changeStatus', () => {
  it('moves the status, bumps sequence and version, and reports the change as an event', () => {
    // Prepare
    const app = draft();

    // Act
    const change = changeStatus(app, { to: 'submitted', detail: 'Submitted', at: '2026-11-29T01:00:00.000Z', eventId: 'evt_1' });

    // Assess
    expect(change.next).toMatchObject({ status: 'submitted', sequence: 2, version: 2, updatedAt: '2026-11-29T01:00:00.000Z' });
    expect(change.timeline).toEqual({ sequence: 2, status: 'submitted', at: '2026-11-29T01:00:00.000Z', detail: 'Submitted' });
    expect(change.outbox).toEqual({
      eventId: 'evt_1',
      tenantId: 'tnt_1',
      event: {
        type: 'application.submitted',
        timestamp: '2026-11-29T01:00:00.000Z',
        data: { applicationId: 'app_1', status: 'submitted', sequence: 2, attempt: 1, filingNumber: '京ICP备10046444号-9', customerRef: 'cust-7' },
      },
    });
    expect(change.previous).toBe(app);
  });

  it('carries rejection reasons into the event, each with its catalogue title and fix hint', () => {
    // Prepare
    const app = draft({ status: 'under_review', sequence: 3, version: 5 });
    const reasons = [{ code: 'INFO_MISMATCH', message: 'Name differs' }];

    // Act
    const change = changeStatus(app, { to: 'rejected', detail: 'Rejected', at: '2026-11-29T02:00:00.000Z', eventId: 'evt_2', reasons, set: { rejectionReasons: reasons } });

    // Assess
    expect(change.outbox.event.data.reasons).toEqual([
      {
        code: 'INFO_MISMATCH',
        message: 'Name differs',
        title: { zh: '信息与原备案不一致', en: 'Information does not match the filing' },
        fixHint: expect.objectContaining({ zh: expect.stringContaining('工信部备案查询'), en: expect.stringContaining('MIIT public query') }),
      },
    ]);
    expect(change.next.rejectionReasons).toEqual(reasons);
  });

  it.each([
    ['draft', 'approved'],
    ['approved', 'submitted'],
    ['rejected_final', 'submitted'],
    ['under_review', 'submitted'],
  ] as const)('refuses %s → %s with a ConflictError', (from, to) => {
    // Prepare
    const app = draft({ status: from });

    // Act
    const act = () => changeStatus(app, { to, detail: '', at: '2026-11-29T00:00:00.000Z', eventId: 'evt' });

    // Assess
    expect(act).toThrow(ConflictError);
  });
});
