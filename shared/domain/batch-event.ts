import * as z from 'zod';

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
    rows: z.object({ total: z.number().int(), accepted: z.number().int(), rejected: z.number().int() }),
    /** Applications of the batch per final status. */
    counts: z.record(z.string(), z.number().int()),
    completedAt: z.string(),
  }),
});
export type BatchEvent = z.infer<typeof BatchEvent>;
