import { EVENT_RETENTION } from './domain/retention.ts';
import * as z from './zod.ts';

/**
 * Runtime configuration of every handler, read once from the environment and validated (STYLE.md rule 3).
 * The CDK stacks set these on each function; the local runtime sets them on its own process.
 */
const bool = z.pipe(z.enum(['true', 'false']), z.transform((v) => v === 'true'));

export const Config = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  BUCKET_NAME: z._default(z.string().check(z.minLength(1)), 'unset'),
  REVIEW_STATE_MACHINE_ARN: z._default(z.string().check(z.minLength(1)), 'unset'),
  DELIVERY_STATE_MACHINE_ARN: z._default(z.string().check(z.minLength(1)), 'unset'),
  /** `manual`: an operator records every decision; `simulated`: orders go to AUTHORITY_URL (the local simulator). */
  AUTHORITY_MODE: z._default(z.enum(['manual', 'simulated']), 'manual'),
  AUTHORITY_URL: z.optional(z.url()),
  WEBHOOKS_ALLOW_LOOPBACK: z._default(bool, false),
  WEBHOOKS_ALLOW_HTTP: z._default(bool, false),
  /** The site probe: `http` asks DNS and the site itself; `simulated` uses the local authority's world. */
  PROBE_MODE: z._default(z.enum(['http', 'simulated']), 'http'),
  /** Path-style S3 addressing, needed by s3rver locally. */
  S3_FORCE_PATH_STYLE: z._default(bool, false),
  /** Lifetime of presigned upload URLs; at most 15 minutes. */
  UPLOAD_URL_TTL_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(60), z.maximum(900)), 600),
  /** How many times a customer may resubmit after rejections before the application ends `rejected_final`. */
  MAX_RESUBMISSIONS: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(10)), 3),
  /**
   * How long events, webhook deliveries and their attempt logs are kept, in days (`EVENT_RETENTION`): past it a
   * delivery can be neither read nor redelivered.
   */
  EVENT_RETENTION_DAYS: z._default(
    z.coerce.number().check(z.int(), z.minimum(EVENT_RETENTION.minDays), z.maximum(EVENT_RETENTION.maxDays)),
    EVENT_RETENTION.defaultDays,
  ),
  /** How long a customer has to correct and resubmit after a rejection. */
  CORRECTION_WINDOW_DAYS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(90)), 14),
  /**
   * Local runtime only (it sets this from `LOCAL_CLOCK_START`; the CDK app never does): how far the clock port runs
   * ahead of (or behind) the machine's clock, in milliseconds.
   */
  CLOCK_OFFSET_MS: z._default(z.coerce.number().check(z.int()), 0),
  /**
   * How long a function instance trusts an API key it looked up, in seconds: a revoked key stops working within it.
   * Shorter costs a key read per instance that often.
   */
  API_KEY_CACHE_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(300)), 30),
  LOG_LEVEL: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']), 'INFO'),
  /**
   * The agency's evidence policy (`EvidencePolicy` in the evidence matrix). `strict` caps every file at 1 MiB, for
   * portals that take no more; `standard` allows 3 MiB.
   */
  EVIDENCE_SIZE_LIMIT: z._default(z.enum(['standard', 'strict']), 'standard'),
  /** Offline (provincial form) cancellations: every kind needs the signed and sealed application form. */
  EVIDENCE_REQUIRE_SIGNED_FORM: z._default(bool, false),
  /** Refuse black-and-white scans of licences and IDs (portals do). */
  EVIDENCE_REQUIRE_COLOUR: z._default(bool, true),
});
export type Config = z.infer<typeof Config>;

let cached: Config | undefined;

/** The validated configuration; throws at cold start (not per request) when the environment is wrong. */
export function config(): Config {
  cached ??= Config.parse(process.env);
  return cached;
}

/** For tests and the local runtime, which change the environment after a module may have read it. */
export function resetConfig(): void {
  cached = undefined;
}
