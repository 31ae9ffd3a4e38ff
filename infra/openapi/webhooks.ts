import { EventType } from '../../shared/domain/records.ts';
import { MAX_DELIVERY_ATTEMPTS, MAX_RETRY_AFTER_SECONDS } from '../../shared/use-cases/webhooks/deliveries.ts';
import { eventSchemaName } from './components.ts';
import * as example from './examples.ts';

/**
 * The document's `webhooks`: one entry per event type (`EventType`), each a POST of that event's body to the agency's
 * endpoint, signed per Standard Webhooks, and what its answers make the sender do.
 */

/** When each event is sent. */
const WHEN: Readonly<Record<EventType, string>> = {
  'application.created': 'A draft was created (by `POST /v1/applications` or a batch row).',
  'application.submitted': 'The application was submitted, or resubmitted after a rejection (`data.attempt` tells them apart).',
  'application.under_review': 'The authority has the order.',
  'application.rejected': 'The authority returned the order: `data.reasons`, each with its fix hint. Correct and resubmit within the correction window.',
  'application.approved': 'The cancellation was approved.',
  'application.rejected_final': 'Rejected for the last time (resubmissions used up, or the correction window passed).',
  'application.failed': 'A technical step failed after its retries.',
  'application.withdrawn': 'The agency withdrew the application.',
  'application.review_overdue': 'The review has taken longer than its deadline in business days.',
  'application.evidence_rejected': 'An uploaded file was refused (`data.evidence`): upload it again.',
  'application.verification_required':
    'MIIT (12381) has texted a 6-digit code to the person who must confirm (`data.verification.by`), to be entered within 24 hours (`expiresAt`) in at most `maxAttempts` tries; otherwise the order comes back (VERIFICATION_EXPIRED, VERIFICATION_FAILED). The code never goes through this API.',
  'batch.completed': 'Every row of a batch has reached an end (refused, or an application approved, rejected_final, failed or withdrawn); sent once per batch.',
};

const EXAMPLES: Partial<Record<EventType, unknown>> = {
  'application.rejected': example.rejectedEvent,
  'batch.completed': example.batchCompletedEvent,
};

/** The Standard Webhooks headers of every attempt. */
const SIGNATURE_HEADERS = [
  {
    name: 'webhook-id',
    in: 'header',
    required: true,
    description: 'The event id: the same on every retry and redelivery. Deduplicate on it.',
    schema: { type: 'string' },
  },
  {
    name: 'webhook-timestamp',
    in: 'header',
    required: true,
    description: 'When this attempt was signed, in seconds since the epoch; refuse one too far from your clock.',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description:
      '`v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` with the endpoint\'s secret; two, separated by a space, for 24 hours after a rotation. `new Webhook(secret).verify(body, headers)` of the `standardwebhooks` library checks it.',
    schema: { type: 'string', pattern: '^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$' },
  },
];

const retryAfter = {
  'Retry-After': { description: `Seconds (or an HTTP date) to wait; at most ${MAX_RETRY_AFTER_SECONDS / 3600} hours are taken.`, schema: { type: 'string' } },
};

export function webhooks(): Record<string, unknown> {
  return Object.fromEntries(
    EventType.options.map((type) => {
      const schema = eventSchemaName(type);
      const value = EXAMPLES[type];
      return [
        type,
        {
          post: {
            operationId: schema.replace(/Event$/, 'Webhook'),
            summary: type,
            description: `${WHEN[type]} Sent to every enabled endpoint of the tenant that subscribes to \`${type}\` (or to every type).`,
            tags: [type.startsWith('batch.') ? 'Batches' : 'Applications'],
            parameters: SIGNATURE_HEADERS,
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: { $ref: `#/components/schemas/${schema}` },
                  ...(value === undefined ? {} : { examples: { readme: { summary: 'As README shows it', value } } }),
                },
              },
            },
            responses: {
              '2XX': { description: 'Delivered: nothing more is sent for this event.' },
              '410': { description: 'Gone: the endpoint is disabled, and gets nothing more until registered again.' },
              '429': { description: 'Attempted again after exactly `Retry-After`.', headers: retryAfter },
              '503': { description: 'Attempted again after exactly `Retry-After` (if given; else as any other failure).', headers: retryAfter },
              default: {
                description: `Attempted again with exponential backoff and full jitter (30 s doubling to a 6-hour cap), ${MAX_DELIVERY_ATTEMPTS} attempts in all (about three days). Redirects are not followed.`,
              },
            },
          },
        },
      ];
    }),
  );
}
