import * as z from '../zod.ts';
import type { CancellationKind } from './application.ts';

/**
 * MIIT's SMS verification (DOMAIN.md, "The review, step by step", 3): once the order reaches the authority, 12381 texts
 * a 6-digit code to the person responsible, who must enter it within 24 hours, in at most 5 attempts; otherwise the
 * order is returned (VERIFICATION_EXPIRED, VERIFICATION_FAILED). The code goes to that person, never through us: what
 * the system does is tell the customer at once, with the deadline, because a missed text costs a whole review.
 */
export const SMS_VERIFICATION_HOURS = 24;
export const SMS_VERIFICATION_ATTEMPTS = 5;

export const VerifyingPerson = z.enum(['subject_principal', 'website_principal']);
export type VerifyingPerson = z.infer<typeof VerifyingPerson>;

/** Who receives the code for a kind of cancellation; none for access removal and licence cancellation. */
export function whoVerifies(kind: CancellationKind): VerifyingPerson | undefined {
  if (kind === 'cancel_subject') return 'subject_principal';
  if (kind === 'cancel_website') return 'website_principal';
  return undefined;
}

/** The authority's SMS for one attempt of an application: when it was sent, and until when the code can be entered. */
export const SmsVerification = z.strictObject({
  attempt: z.number().check(z.int(), z.minimum(1)),
  by: VerifyingPerson,
  sentAt: z.iso.datetime({ offset: true }),
  expiresAt: z.iso.datetime({ offset: true }),
});
export type SmsVerification = z.infer<typeof SmsVerification>;

/** The verification record of an SMS sent at `sentAt`. */
export function smsVerification(attempt: number, by: VerifyingPerson, sentAt: Date): SmsVerification {
  return {
    attempt,
    by,
    sentAt: sentAt.toISOString(),
    expiresAt: new Date(sentAt.getTime() + SMS_VERIFICATION_HOURS * 3600_000).toISOString(),
  };
}
