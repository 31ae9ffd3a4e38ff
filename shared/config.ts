import * as z from 'zod';

/**
 * Runtime configuration of every handler, read once from the environment and validated (STYLE.md rule 3).
 * The CDK stacks set these on each function; the local runtime sets them on its own process.
 */
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const Config = z.object({
  TABLE_NAME: z.string().min(1),
  BUCKET_NAME: z.string().min(1).default('unset'),
  REVIEW_STATE_MACHINE_ARN: z.string().min(1).default('unset'),
  DELIVERY_STATE_MACHINE_ARN: z.string().min(1).default('unset'),
  /** `manual`: an operator records every decision; `simulated`: orders go to AUTHORITY_URL (the local simulator). */
  AUTHORITY_MODE: z.enum(['manual', 'simulated']).default('manual'),
  AUTHORITY_URL: z.string().url().optional(),
  WEBHOOKS_ALLOW_LOOPBACK: bool.default(false),
  WEBHOOKS_ALLOW_HTTP: bool.default(false),
  /** The site probe: `http` asks DNS and the site itself; `simulated` uses the local authority's world. */
  PROBE_MODE: z.enum(['http', 'simulated']).default('http'),
  /** Path-style S3 addressing, needed by s3rver locally. */
  S3_FORCE_PATH_STYLE: bool.default(false),
  /** Lifetime of presigned upload URLs; at most 15 minutes. */
  UPLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(900).default(600),
  /** How many times a customer may resubmit after rejections before the application ends `rejected_final`. */
  MAX_RESUBMISSIONS: z.coerce.number().int().min(0).max(10).default(3),
  /** How long a customer has to correct and resubmit after a rejection. */
  CORRECTION_WINDOW_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  /**
   * Local runtime only (it sets this from `LOCAL_CLOCK_START`; the CDK app never does): how far the clock port runs
   * ahead of (or behind) the machine's clock, in milliseconds.
   */
  CLOCK_OFFSET_MS: z.coerce.number().int().default(0),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
  /**
   * The agency's evidence policy (`EvidencePolicy` in the evidence matrix). `strict` caps every file at 1 MiB, for
   * portals that take no more; `standard` allows 3 MiB.
   */
  EVIDENCE_SIZE_LIMIT: z.enum(['standard', 'strict']).default('standard'),
  /** Offline (provincial form) cancellations: every kind needs the signed and sealed application form. */
  EVIDENCE_REQUIRE_SIGNED_FORM: bool.default(false),
  /** Refuse black-and-white scans of licences and IDs (portals do). */
  EVIDENCE_REQUIRE_COLOUR: bool.default(true),
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
