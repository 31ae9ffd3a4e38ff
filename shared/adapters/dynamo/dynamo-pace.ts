import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { sleep as defaultSleep } from '../../concurrency.ts';
import * as z from '../../zod.ts';
import { isConditionFailure } from './client.ts';
import { keys } from './keys.ts';

/** The pace: `rate` a second, up to `burst` at once after a quiet spell. */
export interface PaceSettings {
  rate: number;
  burst: number;
}

/** A take waits for about this many seconds' worth of tokens when it wants that many. */
const BLOCK_SECONDS = 0.25;
/**
 * How late a call may reach Step Functions after its token was taken (a busy event loop, a slow network) without the
 * calls there exceeding `burst` + `rate` in any second: the bucket holds that much less than `burst`.
 */
export const ARRIVAL_MARGIN_SECONDS = 0.5;

/** What the bucket item holds: tokens left at `at` (epoch ms), and a version every write checks and bumps. */
const BucketState = z.object({ tokens: z.number(), at: z.number(), version: z.number().check(z.int()) });
type BucketState = z.infer<typeof BucketState>;

/**
 * A token bucket kept in one table item, so that every process that takes from it shares one pace: every Lambda
 * instance of every function, every batch.
 *
 * Why an item and not a bucket per process (what this replaces): Step Functions' StartExecution quota is one bucket
 * per account and region, so per-process buckets add up — two batches ingesting at once went at twice the rate. Why
 * not a single drainer with a reserved concurrency of 1: the request that starts a review in an API call or a stream
 * batch would then wait for another function to be invoked (nothing can invoke it without a Lambda, SQS or a third
 * stream consumer here), and one process's in-memory bucket would hand its whole burst out again after each cold start.
 *
 * Taking is an optimistic write: refill from the elapsed time, take what is wanted (at most what is there), write
 * the state back on the condition that nobody wrote since it was read. A process keeps what it last read or wrote, so
 * an uncontended take is one write; a lost race returns the winner's state with the failure and is tried again.
 * Callers take blocks (up to the requests they hold), so a drain at 300 a second writes the item ~12 times a second.
 * Times are each process's wall clock (`at` never goes back, so a clock a little behind refills nothing twice).
 *
 * The bucket holds `burst` less half a second of the rate (`ARRIVAL_MARGIN_SECONDS`): calls reach Step Functions a
 * little after their tokens are taken, some later than others, which bunches them up; the margin keeps the calls
 * Step Functions sees within `burst` + `rate` in any second. The long-run rate is `rate` all the same.
 */
export class DynamoPace {
  private seen: BucketState | undefined;
  /** What the bucket holds at most: `burst` less the arrival margin, but never under a block. */
  private readonly capacity: number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly settings: PaceSettings,
    private readonly time: { now: () => number; sleep: (ms: number) => Promise<void>; random: () => number } = {
      now: Date.now,
      sleep: defaultSleep,
      random: Math.random,
    },
  ) {
    if (!(settings.rate > 0) || !(settings.burst >= 1)) throw new RangeError('A pace needs a positive rate and a burst of at least 1');
    const block = Math.max(1, Math.min(settings.burst, Math.floor(settings.rate * BLOCK_SECONDS)));
    this.capacity = Math.max(block, settings.burst - settings.rate * ARRIVAL_MARGIN_SECONDS);
  }

  /**
   * Takes between 1 and `wanted` tokens, waiting for the first one no later than `deadline` (epoch ms); 0 when the
   * deadline comes first.
   */
  async take(wanted: number, deadline: number): Promise<number> {
    // Blocks of about a quarter of a second's tokens (at most `wanted`, at most the burst): a taker that grabbed every
    // single token as it came would write the item (and race the other takers) once per start.
    const block = Math.max(1, Math.min(Math.floor(wanted), this.capacity, Math.floor(this.settings.rate * BLOCK_SECONDS)));
    for (;;) {
      const state = this.seen ?? (await this.read());
      const now = this.time.now();
      const available = Math.min(this.capacity, state.tokens + (Math.max(0, now - state.at) * this.settings.rate) / 1000);
      // Until the block is there, wait for it; but take what there is (at least one) rather than miss the deadline.
      const waitMs = available >= block ? 0 : Math.ceil(((block - available) / this.settings.rate) * 1000) + Math.floor(this.time.random() * 5);
      if (waitMs > 0 && now + waitMs <= deadline) {
        await this.time.sleep(waitMs);
        continue;
      }
      if (available < 1) {
        const firstMs = Math.ceil(((1 - available) / this.settings.rate) * 1000);
        if (now + firstMs > deadline) return 0;
        await this.time.sleep(firstMs);
        continue;
      }
      const taken = Math.min(Math.max(1, Math.floor(wanted)), Math.floor(available));
      const next = { tokens: available - taken, at: Math.max(now, state.at), version: state.version + 1 };
      const current = await this.write(next, state.version);
      this.seen = current ?? next;
      if (current === undefined) return taken;
    }
  }

  private async read(): Promise<BucketState> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.startPace(), ConsistentRead: true }));
    // No item yet: a full bucket, written with version 1 by the first take.
    return out.Item ? BucketState.parse(out.Item) : { tokens: this.capacity, at: this.time.now(), version: 0 };
  }

  /** Writes `next` if the item is still at `version`; otherwise returns the state it is at now. */
  private async write(next: BucketState, version: number): Promise<BucketState | undefined> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.startPace(), entity: 'pace', ...next },
          ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : '#version = :version',
          ...(version === 0 ? {} : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':version': version } }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The document client hands the item of a failed condition back unconverted.
      const item = (error as { Item?: Record<string, AttributeValue> }).Item;
      return item ? BucketState.parse(unmarshall(item)) : this.read();
    }
  }
}
