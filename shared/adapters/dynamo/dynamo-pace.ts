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
 * How late a call may reach Step Functions after its token was due (a busy event loop, a slow network, a write that
 * took longer than the last ones) without the calls there exceeding `burst` + `rate` in any second: the bucket holds
 * that much less than `burst`.
 */
export const ARRIVAL_MARGIN_SECONDS = 0.5;
/** The longest lead a take allows for its own write (a slower store than this loses tokens rather than waits longer). */
const MAX_LEAD_MS = 2_000;

/**
 * What the bucket item holds: the time (epoch ms) at which the bucket is empty once every token taken so far is used
 * (`emptyAt`; earlier than now means it has refilled since), and a version every write checks and bumps. Items
 * written before tokens were taken ahead hold `tokens` at `at` instead: the same thing, read as `at - tokens / rate`.
 */
const StoredState = z.union([
  z.object({ emptyAt: z.number(), version: z.number().check(z.int()) }),
  z.object({ tokens: z.number(), at: z.number(), version: z.number().check(z.int()) }),
]);
interface BucketState {
  emptyAt: number;
  version: number;
}

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
 * Taking is an optimistic write: from the state read, work out the tokens wanted and when each is due, write the new
 * state back on the condition that nobody wrote since it was read. A process keeps what it last read or wrote, so an
 * uncontended take is one write; a lost race returns the winner's state with the failure and is tried again. Callers
 * take blocks (up to the requests they hold), so a drain at 300 a second writes the item ~12 times a second. Times are
 * each process's wall clock.
 *
 * **Tokens are taken ahead, each with the time it is due** (the way GCRA schedules cells): a take counts the tokens
 * the bucket will hold when its write is back (`lead`: the longest recent round trip of this process's writes) and
 * takes a little more than a write's worth of the rate beyond that, each due at its turn; the caller waits for each
 * due time before it calls Step Functions. Why: a take that counted only the tokens there at the moment it read the
 * state lost everything the bucket could not hold while the write was under way — on a store answering in a second
 * (DynamoDB Local busy with an ingestion) a drain kept to half the rate. Taken ahead, one write a round trip keeps the
 * full rate, and the calls still come in the bucket's order and spacing. On DynamoDB (a few milliseconds) the lead is
 * next to nothing and tokens are due at once, as before.
 *
 * The bucket holds `burst` less half a second of the rate (`ARRIVAL_MARGIN_SECONDS`): calls reach Step Functions a
 * little after their tokens are due, some later than others, which bunches them up; the margin keeps the calls Step
 * Functions sees within `burst` + `rate` in any second. The long-run rate is `rate` all the same.
 */
export class DynamoPace {
  private seen: BucketState | undefined;
  /** What the bucket holds at most: `burst` less the arrival margin, but never under a block. */
  private readonly capacity: number;
  /** How long this process's writes of the item take (the longest recent round trip, fading): how far ahead tokens are due. */
  private leadMs = 0;

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
   * Takes between 1 and `wanted` tokens, waiting for the first one no later than `deadline` (epoch ms); returns the
   * time each is due (epoch ms, in order; some may be a moment ahead: call Step Functions for each no earlier than
   * its time), none when the deadline comes first.
   */
  async take(wanted: number, deadline: number): Promise<number[]> {
    // Blocks of about a quarter of a second's tokens (at most `wanted`, at most the burst): a taker that grabbed every
    // single token as it came would write the item (and race the other takers) once per start.
    const block = Math.max(1, Math.min(Math.floor(wanted), this.capacity, Math.floor(this.settings.rate * BLOCK_SECONDS)));
    for (;;) {
      const state = this.seen ?? (await this.read());
      const now = this.time.now();
      // Due no earlier than when the write is back; no later than a block and another round trip after that, so that
      // the next take (a round trip later) goes on where this one stops.
      const lead = this.leadMs;
      const latest = now + 2 * lead + BLOCK_SECONDS * 1000;
      const tokens = this.schedule(state.emptyAt, now + lead, { count: Math.max(1, Math.floor(wanted)), latest, block });
      const due = tokens.map((token) => token.at);
      const ready = due.filter((at) => at <= latest).length;
      // Until a block is due in reach, wait for it; but take what there is (at least one) rather than miss the deadline.
      const awaited = due[Math.min(block, due.length) - 1] ?? now;
      const waitMs = ready >= block ? 0 : Math.ceil(awaited - latest) + Math.floor(this.time.random() * 5);
      if (waitMs > 0 && now + waitMs <= deadline) {
        await this.time.sleep(waitMs);
        continue;
      }
      if (ready === 0) {
        const firstMs = Math.ceil((due[0] ?? now) - latest);
        if (now + firstMs > deadline) {
          // Not before the deadline: wait until then all the same (a caller that takes again at once would spin).
          if (deadline > now) await this.time.sleep(deadline - now);
          return [];
        }
        await this.time.sleep(firstMs);
        continue;
      }
      const taken = due.slice(0, ready);
      const next = { emptyAt: tokens[ready - 1]?.emptyAfter ?? state.emptyAt, version: state.version + 1 };
      const current = await this.write(next, state.version, now);
      this.seen = current ?? next;
      if (current === undefined) return taken;
    }
  }

  /**
   * When each of up to `count` more tokens is due, none before `from` (a full bucket hands out `capacity` at `from`,
   * then one every 1/rate s), with the bucket's empty time once it is taken; no further than past `latest` once there
   * are `block` of them (what `take` looks at).
   */
  private schedule(emptyAt: number, from: number, until: { count: number; latest: number; block: number }): { at: number; emptyAfter: number }[] {
    const step = 1000 / this.settings.rate;
    const tokens: { at: number; emptyAfter: number }[] = [];
    let empty = emptyAt;
    for (let i = 0; i < until.count; i++) {
      const at = Math.max(from, empty + step);
      if (i >= until.block && at > until.latest) break;
      // The bucket holds at most `capacity`, so it cannot be emptier than that before `at`.
      empty = Math.max(empty, at - this.capacity * step) + step;
      tokens.push({ at, emptyAfter: empty });
    }
    return tokens;
  }

  private async read(): Promise<BucketState> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.startPace(), ConsistentRead: true }));
    // No item yet: a full bucket (empty long ago), written with version 1 by the first take.
    return out.Item ? this.parse(out.Item) : { emptyAt: 0, version: 0 };
  }

  private parse(item: Record<string, unknown>): BucketState {
    const stored = StoredState.parse(item);
    return 'emptyAt' in stored ? stored : { emptyAt: stored.at - (stored.tokens * 1000) / this.settings.rate, version: stored.version };
  }

  /**
   * Writes `next` if the item is still at `version`; otherwise returns the state it is at now. Either way the round
   * trip from `sentAt` becomes the lead if it is the longest lately (the lead fades by a fifth a write otherwise).
   */
  private async write(next: BucketState, version: number, sentAt: number): Promise<BucketState | undefined> {
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
      return item ? this.parse(unmarshall(item)) : this.read();
    } finally {
      this.leadMs = Math.min(MAX_LEAD_MS, Math.max(this.time.now() - sentAt, this.leadMs * 0.8));
    }
  }
}
