import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mapConcurrently } from '../../concurrency.ts';
import { TransientError } from '../../domain/errors.ts';
import type { BatchIngestionWorkflow, ReviewStarter } from '../../ports/batch-services.ts';
import type { TokenBucket } from './token-bucket.ts';

const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'ServiceUnavailable', 'RequestLimitExceeded']);

function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? '';
}

/** Starts one ingestion execution per run of a batch (`<batchId>-<n>`); the same name again joins it. */
export class SfnBatchIngestion implements BatchIngestionWorkflow {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: { batchId: string; tenantId: string; name: string }): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: input.name,
          input: JSON.stringify({ batchId: input.batchId, tenantId: input.tenantId }),
        }),
      );
    } catch (error) {
      if (errorName(error) === 'ExecutionAlreadyExists') return;
      if (THROTTLED.has(errorName(error))) throw new TransientError('Step Functions throttled the start; retry.', { cause: error });
      throw error;
    }
  }
}

export interface ReviewStarterOptions {
  /** Paces the starts (shared by every call of this process). */
  bucket: TokenBucket;
  /** Starts in flight at once. */
  concurrency?: number;
  /** Attempts per start when Step Functions throttles (exponential backoff with full jitter between them). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * Starts review executions for many applications at once (a batch submitted immediately): each start takes a token
 * from the bucket (StartExecution refills at about 300 a second per account in large regions), and a start that is
 * throttled anyway (other processes starting too) is retried with exponential backoff and full jitter. An execution
 * that already exists under the run's name counts as started, so a chunk run again starts nothing twice.
 */
export class SfnReviewStarter implements ReviewStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
    private readonly options: ReviewStarterOptions,
  ) {}

  async startAll(runs: { applicationId: string; tenantId: string; name: string }[]): Promise<void> {
    await mapConcurrently(runs, this.options.concurrency ?? 16, (run) => this.startOne(run));
  }

  private async startOne(run: { applicationId: string; tenantId: string; name: string }): Promise<void> {
    const { maxAttempts = 8, baseDelayMs = 100, maxDelayMs = 5_000 } = this.options;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const random = this.options.random ?? Math.random;
    for (let attempt = 1; ; attempt++) {
      await this.options.bucket.take();
      try {
        await this.client.send(
          new StartExecutionCommand({
            stateMachineArn: this.stateMachineArn,
            name: run.name,
            input: JSON.stringify({ applicationId: run.applicationId, tenantId: run.tenantId }),
          }),
        );
        return;
      } catch (error) {
        if (errorName(error) === 'ExecutionAlreadyExists') return;
        if (!THROTTLED.has(errorName(error))) throw error;
        if (attempt >= maxAttempts) {
          throw new TransientError(`Step Functions kept throttling the start of ${run.name}; retry.`, { cause: error });
        }
        await sleep(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
      }
    }
  }
}
