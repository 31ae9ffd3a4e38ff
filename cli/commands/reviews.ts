import { Command } from 'commander';
import type { Decision, RejectionReason } from '../api-types.ts';
import { statusLine } from '../application-text.ts';
import { type CliIo, clientFrom, type ConnectionOptions, withConnection, writeJson } from '../context.ts';
import { UsageError } from '../errors.ts';

interface DecideOptions extends ConnectionOptions {
  approve?: boolean;
  reject?: boolean;
  reason?: RejectionReason[];
  json?: boolean;
}

/** `--reason "CODE: the authority's words"`, repeatable. */
function collectReason(value: string, previous: RejectionReason[] = []): RejectionReason[] {
  const match = /^\s*([A-Za-z0-9_]+)\s*:\s*(\S[\s\S]*)$/.exec(value);
  if (!match) throw new UsageError(`--reason takes "CODE: message" (e.g. "DOCUMENT_UNCLEAR: The scan is blurred"), not "${value}".`);
  return [...previous, { code: (match[1] as string).toUpperCase(), message: (match[2] as string).trim() }];
}

/**
 * `reviews decide|notify-sms` (operator key): what the authority decided about an application under review, and the
 * verification text it sent. The key comes from `--api-key`, `$ICP_OPERATOR_KEY` or `$ICP_API_KEY`.
 */
export function reviewsCommand(io: CliIo): Command {
  const decide = withConnection(new Command('decide'), 'operator')
    .description("record the authority's decision on an application under review")
    .argument('<application-id>', 'app_…')
    .option('--approve', 'the authority approved the cancellation')
    .option('--reject', 'the authority returned it (give each reason with --reason)')
    .option('--reason <"CODE: message">', 'a reason for --reject, repeatable: a catalogue code (DOCUMENT_UNCLEAR, INFO_MISMATCH, …) and the authority\'s words', collectReason)
    .option('--json', "print the API's answer as JSON")
    .action(async (id: string, options: DecideOptions) => {
      const decision = decisionOf(options);
      const application = await clientFrom(options, io, 'operator').recordDecision(id, decision);
      if (options.json) return writeJson(io, application);
      // The answer is the application as the decision found it (under review): the workflow applies it next.
      io.stdout.write(`${application.id}: ${decision.outcome} recorded for attempt ${application.attempts}\n`);
    });

  const notifySms = withConnection(new Command('notify-sms'), 'operator')
    .description('record that the authority (12381) texted the verification code; the agency gets application.verification_required')
    .argument('<application-id>', 'app_…')
    .option('--sent-at <time>', 'when it was texted, ISO 8601 (default: now; at most 24 hours back)')
    .option('--json', "print the API's answer as JSON")
    .action(async (id: string, options: ConnectionOptions & { sentAt?: string; json?: boolean }) => {
      if (options.sentAt !== undefined && Number.isNaN(Date.parse(options.sentAt))) {
        throw new UsageError(`--sent-at takes an ISO 8601 time (e.g. 2026-11-29T08:00:00Z), not "${options.sentAt}".`);
      }
      const application = await clientFrom(options, io, 'operator').recordSmsVerification(id, options.sentAt ? { sentAt: options.sentAt } : {});
      if (options.json) return writeJson(io, application);
      const sms = application.smsVerification;
      io.stdout.write(`${statusLine(application)}${sms ? `: code texted at ${sms.sentAt}, to enter by ${sms.expiresAt}` : ''}\n`);
    });

  return new Command('reviews').description("the authority's side (operator key): decisions and verification texts").addCommand(decide).addCommand(notifySms);
}

/** The decision the flags describe: exactly one of --approve and --reject, reasons only (and always) with --reject. */
export function decisionOf(options: DecideOptions): Decision {
  if (options.approve === options.reject) throw new UsageError('Pass either --approve or --reject.');
  if (options.approve) {
    if (options.reason) throw new UsageError('--reason goes with --reject.');
    return { outcome: 'approved' };
  }
  if (!options.reason) throw new UsageError('--reject needs at least one --reason "CODE: message".');
  return { outcome: 'rejected', reasons: options.reason };
}
