import type { MachinePath } from './asl-walk.ts';

/**
 * The paths the cost model prices, as data: for each, the executions it makes of each state machine and the way each
 * goes (the value every Choice sees, the outcome of every Task attempt), and the webhook events it sends. The model
 * walks the synthesized definitions along them (`asl-walk.ts`); `drive.ts` makes the same path happen on the local
 * runtime through the API, where the engine counts what it actually executed, and the two must agree
 * (`test/system/cost-model.test.ts`). Change the code's behaviour and this is the file that says so.
 */

/** A state machine by its role in the template (`readWiring(...).stateMachines`). */
export type MachineRole = 'review' | 'delivery' | 'batches';

export interface CostPath {
  id: string;
  title: string;
  /** What one unit of the figures is. */
  per: 'cancellation' | 'row' | 'delivery';
  /** How many units one run of the path makes (a batch of 100 rows: 100). */
  units: number;
  /** The executions the path starts (deliveries aside): of which machine, how many, along which path. */
  executions: { machine: MachineRole; count: number; path: MachinePath }[];
  /**
   * The webhook events it sends, each to every subscribed endpoint ({@link ENDPOINTS}). Each first attempt succeeds,
   * as nearly every one does: the dispatcher makes it, and no delivery execution runs.
   */
  events: string[];
}

/** Webhook endpoints of the tenant, each subscribed to every event: one delivery per event each. */
export const ENDPOINTS = 1;

/** The review of one application: the status each route reads, the outcome after each decision. */
function review(decisions: ('approved' | 'rejected' | 'rejected_final')[]): MachinePath {
  return { choices: { RouteByStatus: decisions.map(() => 'submitted'), AfterDecision: decisions } };
}

/** One review attempt's events, from submission to the decision the authority texts the customer about first. */
const ATTEMPT = ['application.submitted', 'application.under_review', 'application.verification_required'];

/** Rows of the measured batch; the ingestion reads `BATCH_CHUNK_ROWS` (1,000 by default) a chunk. */
export const BATCH_ROWS = 100;
const CHUNK_ROWS = 1_000;

export const PATHS: readonly CostPath[] = [
  {
    id: 'happy',
    title: 'happy: create, one upload, submit, one SMS notice, approved',
    per: 'cancellation',
    units: 1,
    executions: [{ machine: 'review', count: 1, path: review(['approved']) }],
    events: ['application.created', ...ATTEMPT, 'application.approved'],
  },
  {
    id: 'rejected-once',
    title: 'rejected once: as happy, rejected, resubmitted, an SMS notice again, approved',
    per: 'cancellation',
    units: 1,
    executions: [{ machine: 'review', count: 1, path: review(['rejected', 'approved']) }],
    events: ['application.created', ...ATTEMPT, 'application.rejected', ...ATTEMPT, 'application.approved'],
  },
  {
    id: 'final-rejection',
    title: 'final rejection: rejected four times (three resubmissions), rejected_final',
    per: 'cancellation',
    units: 1,
    executions: [{ machine: 'review', count: 1, path: review(['rejected', 'rejected', 'rejected', 'rejected_final']) }],
    events: [
      'application.created',
      ...[1, 2, 3].flatMap(() => [...ATTEMPT, 'application.rejected']),
      ...ATTEMPT,
      'application.rejected_final',
    ],
  },
  {
    id: 'batch-row',
    title: `batch row: a CSV manifest of ${BATCH_ROWS} rows ingested as drafts (hold), its report downloaded; per row`,
    per: 'row',
    units: BATCH_ROWS,
    executions: [
      {
        machine: 'batches',
        count: 1,
        // Prepare → MoreRows → (IngestChunk → MoreRows) per chunk → Finish → StartReviews → MoreReviews: drafts held
        // request no review, so one StartReviews finds nothing left to start.
        path: {
          choices: {
            MoreRows: [false, ...Array.from({ length: Math.ceil(BATCH_ROWS / CHUNK_ROWS) }, (_, i) => i === Math.ceil(BATCH_ROWS / CHUNK_ROWS) - 1)],
            MoreReviews: [true],
          },
        },
      },
    ],
    events: Array.from({ length: BATCH_ROWS }, () => 'application.created'),
  },
];
