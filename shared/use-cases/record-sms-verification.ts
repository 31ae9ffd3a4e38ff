import * as z from '../zod.ts';
import { UnprocessableError, ValidationError } from '../domain/errors.ts';
import type { Application, Principal } from '../domain/records.ts';
import { SMS_VERIFICATION_HOURS, smsVerification, whoVerifies } from '../domain/sms-verification.ts';
import { eventFor } from '../domain/status-change.ts';
import type { Deps } from '../ports/deps.ts';
import { smsVerificationView } from './application-view.ts';
import { assertOperator, assertUndecided, loadUnderReview } from './record-decision.ts';

/** The body of `POST /v1/reviews/{id}/verification`: when 12381 sent the text (default: now). */
export const SmsVerificationNotice = z.strictObject({ sentAt: z.optional(z.iso.datetime({ offset: true })) });
export type SmsVerificationNotice = z.infer<typeof SmsVerificationNotice>;

/** Clocks disagree a little: a `sentAt` up to this far ahead of ours is taken as now. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Records that the authority has texted the verification code for an application under review (operator scope), and
 * tells the customer at once with `application.verification_required`: who got the code, and until when it can be
 * entered (24 hours from the text, 5 attempts). A missed text returns the order; the customer needs to know now.
 *
 * Primary course:
 * 1. Operator scope (403); the tenant's application (404), under review (409) with no decision yet for this attempt
 *    (409); a kind whose cancellation is verified by SMS, a subject or a website (422 for access removal and licences).
 * 2. `sentAt` (default now) may not lie ahead (beyond 5 minutes of skew) nor more than 24 hours back: then the window
 *    has passed, and what remains is to record the authority's decision (`VERIFICATION_EXPIRED`) (400).
 * 3. In one transaction: the verification on the application, and the event.
 *
 * Alternative course: already recorded for this attempt → the application as it is, and no second event.
 */
export async function recordSmsVerification(
  deps: Pick<Deps, 'applications' | 'clock' | 'ids'>,
  principal: Principal,
  applicationId: string,
  notice: SmsVerificationNotice,
): Promise<Application> {
  assertOperator(principal, 'Recording an SMS verification');
  const app = await loadUnderReview(deps, principal, applicationId);
  if (app.smsVerification?.attempt === app.attempt) return app;
  assertUndecided(app);
  const by = whoVerifies(app.kind);
  if (!by) {
    throw new UnprocessableError(`A ${app.kind} order is not verified by SMS.`, {
      errors: [{ path: 'kind', code: 'no_sms_verification', message: 'Only subject and website cancellations are verified by SMS (12381); record the decision instead.' }],
    });
  }
  const now = deps.clock.now();
  const sentAt = notice.sentAt === undefined ? now : new Date(notice.sentAt);
  if (sentAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new ValidationError('sentAt is in the future.', {
      errors: [{ path: 'sentAt', code: 'in_future', message: `The text cannot have been sent after now (${now.toISOString()}); omit sentAt for now.` }],
    });
  }
  if (now.getTime() - sentAt.getTime() > SMS_VERIFICATION_HOURS * 3600_000) {
    throw new ValidationError('The verification window has passed.', {
      errors: [
        {
          path: 'sentAt',
          code: 'window_passed',
          message: `A code sent more than ${SMS_VERIFICATION_HOURS} hours ago can no longer be entered; record the authority's decision (VERIFICATION_EXPIRED) instead.`,
        },
      ],
    });
  }
  const verification = smsVerification(app.attempt, by, sentAt.getTime() > now.getTime() ? now : sentAt);
  const outbox = eventFor(app, 'application.verification_required', deps.ids.next('evt'), now.toISOString());
  outbox.event.data.verification = smsVerificationView(verification);
  return deps.applications.updateWithEvent(app, { smsVerification: verification }, outbox);
}
