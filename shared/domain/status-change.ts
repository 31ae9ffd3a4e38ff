import { type ApplicationStatus, canTransition } from './application.ts';
import { ConflictError } from './errors.ts';
import type { Application, ApplicationOutboxEvent, DomainEvent, RejectionReason, TimelineEntry } from './records.ts';
import { describeRejection } from './rejection-reasons.ts';

/** Everything one status change writes, in one transaction: the new application, its timeline entry, its event. */
export interface StatusChange {
  previous: Application;
  next: Application;
  timeline: TimelineEntry;
  outbox: ApplicationOutboxEvent;
}

export interface StatusChangeInput {
  to: ApplicationStatus;
  detail: string;
  at: string;
  eventId: string;
  /** Other fields that change with the status (attempt, reasons, corrected fields…). */
  set?: Partial<Application>;
  reasons?: RejectionReason[];
}

/**
 * Computes a status change of `app`. Pure: the repository writes the result atomically, guarded by the previous
 * version, so two writers racing on the same application cannot both win.
 */
export function changeStatus(app: Application, input: StatusChangeInput): StatusChange {
  if (!canTransition(app.status, input.to)) {
    throw new ConflictError(`Application ${app.id} is ${app.status}; it cannot become ${input.to}.`, {
      extensions: { applicationStatus: app.status },
    });
  }
  const sequence = app.sequence + 1;
  const next: Application = {
    ...app,
    ...input.set,
    status: input.to,
    sequence,
    version: app.version + 1,
    updatedAt: input.at,
  };
  const timeline: TimelineEntry = { sequence, status: input.to, at: input.at, detail: input.detail };
  const outbox = eventFor(next, `application.${input.to}` as DomainEvent['type'], input.eventId, input.at, input.reasons);
  return { previous: app, next, timeline, outbox };
}

/** The webhook event that reports `app` in its current state. */
export function eventFor(
  app: Application,
  type: DomainEvent['type'],
  eventId: string,
  at: string,
  reasons?: RejectionReason[],
): ApplicationOutboxEvent {
  return {
    eventId,
    tenantId: app.tenantId,
    event: {
      type,
      timestamp: at,
      data: {
        applicationId: app.id,
        status: app.status,
        sequence: app.sequence,
        attempt: app.attempt,
        filingNumber: app.filingNumber,
        ...(app.customerRef === undefined ? {} : { customerRef: app.customerRef }),
        ...(app.batchId === undefined ? {} : { batchId: app.batchId }),
        // Each reason carries its catalogue title and fix hint, so the customer learns what to do from the webhook.
        ...(reasons === undefined ? {} : { reasons: reasons.map(describeRejection) }),
      },
    },
  };
}
