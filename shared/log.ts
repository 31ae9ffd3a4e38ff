import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { METRICS_SERVICE } from './observability/metric-names.ts';
import { redact } from './observability/redact.ts';

/**
 * Structured JSON logs, one line each: Powertools' Logger (STYLE.md rule 13). Every line has `level`, `message`,
 * `timestamp`, `service` (`icp-cancel`) and, inside an invocation, the Lambda context Powertools adds
 * (`function_request_id`, `function_name`, `function_arn`, `function_memory_size`, `cold_start`, `xray_trace_id` in
 * AWS), then the business keys the wrappers know (`tenantId`, `applicationId`, `batchId`, `deliveryId`:
 * `shared/observability/invocation.ts`), then the call's own fields. Errors under any field are written with their
 * name, message and stack (and cause).
 *
 * Nothing secret or personal is written: every key and value of a line goes through `redact`
 * (`shared/observability/redact.ts`) as it is serialised. `LOG_LEVEL` (DEBUG, INFO, WARN, ERROR, SILENT; INFO when
 * unset or unknown) is read again at each call, so a process that changes it (tests, the benchmark) is obeyed.
 *
 * Inside a Lambda function one invocation runs at a time, so the context and keys of the one process-wide logger
 * are the invocation's. Locally one process (the sources) or one worker (a bundle) may run several invocations at once,
 * and a line may then carry the request id or keys of another invocation of the same process.
 */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
const LEVELS: ReadonlySet<string> = new Set<LogLevel>(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']);

function levelOf(value: string | undefined): LogLevel {
  const level = (value ?? 'INFO').toUpperCase();
  return LEVELS.has(level) ? (level as LogLevel) : 'INFO';
}

let level = levelOf(process.env.LOG_LEVEL);

/** The process's logger. Prefer `log`; this is for what only Powertools' API does. */
export const logger = new Logger({ serviceName: METRICS_SERVICE, logLevel: level, jsonReplacerFn: redact });

function current(): Logger {
  const wanted = levelOf(process.env.LOG_LEVEL);
  if (wanted !== level) {
    level = wanted;
    logger.setLogLevel(wanted);
  }
  return logger;
}

export type LogFields = Record<string, unknown>;

export const log = {
  debug: (message: string, fields: LogFields = {}) => current().debug(message, fields),
  info: (message: string, fields: LogFields = {}) => current().info(message, fields),
  warn: (message: string, fields: LogFields = {}) => current().warn(message, fields),
  error: (message: string, fields: LogFields = {}) => current().error(message, fields),
};

/**
 * Starts an invocation's logs: the Lambda context (request id, function, cold start) and no key of an earlier
 * invocation. `context` is absent when a test calls a handler with the event alone.
 */
export function startInvocationLogs(context: Context | undefined): void {
  logger.resetKeys();
  if (context) logger.addContext(context);
}

/** Adds keys (those with a value) to every later line of this invocation. */
export function appendLogKeys(keys: Record<string, string | undefined>): void {
  const defined = Object.fromEntries(Object.entries(keys).filter(([, value]) => value !== undefined && value !== ''));
  if (Object.keys(defined).length > 0) logger.appendKeys(defined);
}
