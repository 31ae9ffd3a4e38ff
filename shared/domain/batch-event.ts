import * as z from '../zod.ts';

/**
 * The body of `batch.completed`: every row has reached an end. Apart from `batch.ts` so that the outbox event schema
 * (`records.ts`), which every function reads, does not construct the batch schemas at every cold start.
 */
export const BatchEvent = z.object({
  type: z.literal('batch.completed'),
  timestamp: z.string(),
  data: z.object({
    batchId: z.string(),
    status: z.literal('completed'),
    rows: z.object({ total: z.number().check(z.int()), accepted: z.number().check(z.int()), rejected: z.number().check(z.int()) }),
    /** Applications of the batch per final status. */
    counts: z.record(z.string(), z.number().check(z.int())),
    completedAt: z.string(),
  }),
});
export type BatchEvent = z.infer<typeof BatchEvent>;
