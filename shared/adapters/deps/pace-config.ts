import * as z from '../../zod.ts';
import type { PaceSettings } from '../dynamo/dynamo-pace.ts';

const rate = z.coerce.number().check(z.positive(), z.maximum(10_000));
const burst = z.coerce.number().check(z.int(), z.minimum(1), z.maximum(10_000));

/**
 * The system's one StartExecution pace (every function that starts executions reads it; the stack sets it alike on
 * all of them). `REVIEW_START_RATE`/`REVIEW_START_BURST`, the names from when only batch reviews were paced (each
 * process on its own), are read when the new ones are not set.
 */
export const PaceConfig = z.object({
  /** StartExecution calls a second, all functions together; Step Functions refills ~300/s in the largest regions. */
  START_EXECUTION_RATE: z.optional(rate),
  /** Calls that may go at once after a quiet spell (the bucket's capacity); Step Functions' own bucket holds ~1,300. */
  START_EXECUTION_BURST: z.optional(burst),
  REVIEW_START_RATE: z.optional(rate),
  REVIEW_START_BURST: z.optional(burst),
});

export const DEFAULT_PACE: PaceSettings = { rate: 300, burst: 300 };

/** The pace the environment sets (new names first, then the old ones, then `DEFAULT_PACE`). */
export function paceSettingsOf(env: Record<string, string | undefined>): PaceSettings {
  const c = PaceConfig.parse(env);
  return {
    rate: c.START_EXECUTION_RATE ?? c.REVIEW_START_RATE ?? DEFAULT_PACE.rate,
    burst: c.START_EXECUTION_BURST ?? c.REVIEW_START_BURST ?? DEFAULT_PACE.burst,
  };
}
