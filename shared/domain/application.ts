import * as z from '../zod.ts';

/**
 * The cancellation application: its input (what an agency submits), its statuses and its stored shape.
 * Zod schemas are the types (STYLE.md rule 3).
 */

export const CancellationKind = z.enum(['cancel_subject', 'cancel_website', 'cancel_access', 'cancel_licence']);
export type CancellationKind = z.infer<typeof CancellationKind>;

export const CancellationReason = z.enum(['business_change', 'company_dissolved', 'website_migrated', 'other']);
export type CancellationReason = z.infer<typeof CancellationReason>;

export const SubjectType = z.enum(['enterprise', 'individual']);
export type SubjectType = z.infer<typeof SubjectType>;

/** ISO date (`2026-11-01`) or date-time; the site must have been closed/migrated by then. */
const IsoDate = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'must be an ISO 8601 date such as 2026-11-01 or a date-time with offset',
});

export const SiteState = z.discriminatedUnion(
  'state',
  [
    z.strictObject({ state: z.literal('closed'), since: IsoDate }),
    z.strictObject({
      state: z.literal('migrated'),
      target: z.string().check(z.minLength(1), z.maxLength(253, 'must be a domain or URL of at most 253 characters')),
      since: IsoDate,
    }),
  ],
  { error: 'state must be "closed" or "migrated"' },
);
export type SiteState = z.infer<typeof SiteState>;

export const Subject = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(200)),
  type: SubjectType,
  creditCode: z.optional(z.string().check(z.trim(), z.maxLength(32))),
  idNumber: z.optional(z.string().check(z.trim(), z.maxLength(32))),
});
export type Subject = z.infer<typeof Subject>;

/** The body of `POST /v1/applications` (and each item of a batch). Unknown fields are refused. */
export const ApplicationInput = z.strictObject({
  kind: CancellationKind,
  filingNumber: z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(64)),
  websiteName: z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(200)),
  domains: z.array(z.string().check(z.trim(), z.minLength(1), z.maxLength(253))).check(z.minLength(1, 'list at least one domain'), z.maxLength(100)),
  subject: Subject,
  reason: CancellationReason,
  siteState: SiteState,
  customerRef: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(128))),
});
export type ApplicationInput = z.infer<typeof ApplicationInput>;

/** Fields a customer may correct when resubmitting after a rejection. */
export const CorrectionInput = z.strictObject(
  z.partial(z.pick(ApplicationInput, { websiteName: true, domains: true, subject: true, siteState: true, customerRef: true })).shape,
);
export type CorrectionInput = z.infer<typeof CorrectionInput>;

export const ApplicationStatus = z.enum([
  'draft',
  'submitted',
  'under_review',
  'rejected',
  'approved',
  'rejected_final',
  'failed',
  'withdrawn',
]);
export type ApplicationStatus = z.infer<typeof ApplicationStatus>;

/** Statuses after which nothing more happens to an application. */
export const FINAL_STATUSES: ReadonlySet<ApplicationStatus> = new Set([
  'approved',
  'rejected_final',
  'failed',
  'withdrawn',
]);

/** Allowed status changes; anything else is a bug or a lost race and is refused by the repository's guards. */
export const TRANSITIONS: Readonly<Record<ApplicationStatus, readonly ApplicationStatus[]>> = {
  draft: ['submitted', 'withdrawn'],
  submitted: ['under_review', 'failed', 'withdrawn'],
  under_review: ['approved', 'rejected', 'rejected_final', 'failed'],
  rejected: ['submitted', 'rejected_final', 'failed', 'withdrawn'],
  approved: [],
  rejected_final: [],
  failed: [],
  withdrawn: [],
};

export function canTransition(from: ApplicationStatus, to: ApplicationStatus): boolean {
  return TRANSITIONS[from].includes(to);
}
