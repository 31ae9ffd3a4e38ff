import type { Decision } from '../domain/records.ts';
import type { EvidenceContentType } from '../domain/evidence-matrix.ts';

/** Evidence files in S3. */
export interface EvidenceStore {
  /** A short-lived URL that accepts exactly one PUT of this type and length to this key. */
  presignUpload(input: {
    key: string;
    contentType: EvidenceContentType;
    contentLength: number;
    expiresInSeconds: number;
  }): Promise<string>;
  /**
   * A short-lived URL that GETs the object at `key`, answered with this `Content-Type` and `Content-Disposition`
   * whatever the object was stored with. Signed as of `signedAt` (the real time: S3 checks it against its own clock).
   */
  presignDownload(input: {
    key: string;
    contentType: string;
    contentDisposition: string;
    expiresInSeconds: number;
    signedAt: Date;
  }): Promise<string>;
  /** Size and the first `bytes` bytes, for the content check. */
  head(key: string, bytes: number): Promise<{ size: number; head: Uint8Array } | undefined>;
  sha256(key: string): Promise<string>;
}

/** The review workflow engine (Step Functions). */
export interface ReviewWorkflow {
  /**
   * Starts (or, with the same name and input, joins) the review execution of an application. `requested`: its start
   * request is durable already (written with the status change, `applyStatusChange` with `start`), held by this caller.
   */
  start(input: { applicationId: string; tenantId: string; name: string }, options?: { requested?: boolean }): Promise<void>;
  /** Resumes a waiting task; false when the token is no longer valid (the task ended or the execution restarted). */
  resume(token: string, output: unknown): Promise<boolean>;
  /** Stops the named run (a withdrawal); a run that already ended is fine. */
  stop(input: { name: string; cause: string }): Promise<void>;
}

/** The webhook delivery workflow engine (Step Functions). */
export interface DeliveryWorkflow {
  /**
   * Starts the delivery's run `run` (0 for the first; each manual redelivery has the next number). Idempotent per run.
   * The run's first attempt waits `waitSeconds` (default 0): the dispatcher, whose own first attempt failed, starts the
   * retry workflow with the backoff (or the endpoint's Retry-After) that attempt earned.
   */
  start(input: { deliveryId: string; tenantId: string; run?: number; waitSeconds?: number }): Promise<void>;
}

/** Hands an order to the authority. In production the authority is people: an operator records the outcome. */
export interface AuthorityGateway {
  submitOrder(order: { applicationId: string; tenantId: string; attempt: number }): Promise<void>;
}

/** Finds whether a website still answers. */
export interface SiteProber {
  probe(domains: string[]): Promise<{ reachable: boolean; detail: string }>;
}

/** Sends one signed webhook; never throws for what the endpoint or the network does. */
export interface WebhookSender {
  send(input: { url: string; headers: Record<string, string>; body: string }): Promise<{
    outcome: 'delivered' | 'retryable' | 'gone' | 'refused';
    status?: number;
    retryAfterSeconds?: number;
    durationMs: number;
    error?: string;
  }>;
}

/** Where every use case reads the time (STYLE.md rule 12), so tests and the local runtime can pick the day. */
export interface Clock {
  /** The time of the business: creation and decision times, deadlines, expiries, "today" in China. */
  now(): Date;
  /**
   * The machine's real time, for timestamps another party checks against its own clock (a webhook signature's
   * replay window). The same as `now()` in AWS; apart only under the local runtime's shifted clock.
   */
  wallNow(): Date;
}

export interface IdGenerator {
  /** A new unique id with the given prefix, sortable by creation time. */
  next(prefix: string): string;
}

export type { Decision };
