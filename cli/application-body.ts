import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { CancellationKind, CancellationReason, SubjectType } from '../shared/domain/application.ts';
import type { Application, ApplicationCorrection, ApplicationInput } from './api-types.ts';
import { ApiError, CliError, UsageError } from './errors.ts';

/** The flags that make an application's body (`applications create`) or its corrections (`applications resubmit`). */
export interface ApplicationFlags {
  from?: string;
  kind?: ApplicationInput['kind'];
  filingNumber?: string;
  websiteName?: string;
  domain?: string[];
  subjectName?: string;
  subjectType?: ApplicationInput['subject']['type'];
  creditCode?: string;
  idNumber?: string;
  reason?: ApplicationInput['reason'];
  siteState?: 'closed' | 'migrated';
  siteSince?: string;
  siteTarget?: string;
  customerRef?: string;
}

/** Each body field and the flag that sets it, to point a field error of the API at the flag to fix. */
const FLAG_OF_PATH: Readonly<Record<string, string>> = {
  kind: '--kind',
  filingNumber: '--filing-number',
  websiteName: '--website-name',
  domains: '--domain',
  'subject.name': '--subject-name',
  'subject.type': '--subject-type',
  'subject.creditCode': '--credit-code',
  'subject.idNumber': '--id-number',
  reason: '--reason',
  'siteState.state': '--site-state',
  'siteState.since': '--site-since',
  'siteState.target': '--site-target',
  customerRef: '--customer-ref',
};

/** The flags that set a body member (the options object holds the connection's and the command's too). */
const BODY_FLAGS = [
  'kind',
  'filingNumber',
  'websiteName',
  'domain',
  'subjectName',
  'subjectType',
  'creditCode',
  'idNumber',
  'reason',
  'siteState',
  'siteSince',
  'siteTarget',
  'customerRef',
] as const satisfies readonly (keyof ApplicationFlags)[];

/** Splits `a.cn,b.cn` and repeated flags into one list (a domain never holds a comma or a space). */
const collectDomains = (value: string, previous: string[] = []) => [...previous, ...value.split(/[\s,;]+/).filter(Boolean)];

/** Adds the body's flags; `create` adds the ones a correction cannot change (kind, filing number, reason). */
export function withApplicationFlags(command: Command, purpose: 'create' | 'correct'): Command {
  if (purpose === 'create') {
    command
      .option('--from <file.json>', 'the whole body as JSON (as POST /v1/applications takes it), instead of the flags')
      .addOption(new Option('--kind <kind>', 'what to cancel').choices(CancellationKind.options))
      .option('--filing-number <number>', 'the filing (京ICP备…号-N for a website, …号 for a subject)')
      .addOption(new Option('--reason <reason>', 'why').choices(CancellationReason.options));
  } else {
    command.option('--from <file.json>', 'the corrections as JSON (as POST …/resubmit takes them), instead of the flags');
  }
  return command
    .option('--website-name <name>', "the website's name as filed")
    .option('--domain <domain>', 'a domain of the website (repeat, or separate with commas)', collectDomains)
    .option('--subject-name <name>', 'the subject (company or person) as filed')
    .addOption(new Option('--subject-type <type>', 'the kind of subject').choices(SubjectType.options))
    .option('--credit-code <code>', "an enterprise's unified social credit code")
    .option('--id-number <number>', "an individual's ID number")
    .addOption(new Option('--site-state <state>', 'what became of the website').choices(['closed', 'migrated']))
    .option('--site-since <date>', 'since when (YYYY-MM-DD)')
    .option('--site-target <domain>', 'where a migrated website went')
    .option('--customer-ref <ref>', 'your own reference, sent back in every webhook');
}

/** The body of `POST /v1/applications`: the `--from` file, or the flags (each one the API requires present). */
export async function applicationInput(flags: ApplicationFlags, cwd: string): Promise<ApplicationInput> {
  if (flags.from !== undefined) return (await readBodyFile(flags, cwd)) as ApplicationInput;
  const missing = (
    [
      ['--kind', flags.kind],
      ['--filing-number', flags.filingNumber],
      ['--website-name', flags.websiteName],
      ['--domain', flags.domain],
      ['--subject-name', flags.subjectName],
      ['--subject-type', flags.subjectType],
      ['--reason', flags.reason],
      ['--site-since', flags.siteSince],
    ] as const
  ).filter(([, value]) => value === undefined);
  if (missing.length > 0) throw new UsageError(`Missing ${missing.map(([flag]) => flag).join(', ')} (or give the whole body with --from).`);
  const siteState = siteStateOf(flags, 'closed');
  return {
    kind: flags.kind as ApplicationInput['kind'],
    filingNumber: flags.filingNumber as string,
    websiteName: flags.websiteName as string,
    domains: flags.domain as string[],
    subject: subjectOf(flags) as ApplicationInput['subject'],
    reason: flags.reason as ApplicationInput['reason'],
    siteState: siteState as ApplicationInput['siteState'],
    ...(flags.customerRef === undefined ? {} : { customerRef: flags.customerRef }),
  };
}

/**
 * The body of `POST …/resubmit`: only what the flags change. A subject or site state is sent whole, so a flag that
 * changes part of one is merged into the application's current value (read first).
 */
export async function applicationCorrection(flags: ApplicationFlags, cwd: string, current: () => Promise<Application>): Promise<ApplicationCorrection> {
  if (flags.from !== undefined) return (await readBodyFile(flags, cwd)) as ApplicationCorrection;
  const touchesSubject = [flags.subjectName, flags.subjectType, flags.creditCode, flags.idNumber].some((v) => v !== undefined);
  const touchesSite = [flags.siteState, flags.siteSince, flags.siteTarget].some((v) => v !== undefined);
  const application = touchesSubject || touchesSite ? await current() : undefined;
  return {
    ...(flags.websiteName === undefined ? {} : { websiteName: flags.websiteName }),
    ...(flags.domain === undefined ? {} : { domains: flags.domain }),
    ...(application && touchesSubject ? { subject: { ...application.subject, ...subjectOf(flags) } as ApplicationInput['subject'] } : {}),
    ...(application && touchesSite ? { siteState: mergedSiteState(application.siteState, flags) } : {}),
    ...(flags.customerRef === undefined ? {} : { customerRef: flags.customerRef }),
  };
}

/**
 * The idempotency key used when none is given: the same body gives the same key, so running the same command again
 * (after a lost connection, say) finds the application it created instead of meeting the filing's open order (409).
 */
export function bodyIdempotencyKey(body: unknown): string {
  return `application-${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 40)}`;
}

/** A refusal of the body with each field error pointed at its flag (`subject.creditCode … [--credit-code]`). */
export function withFlagHints(error: unknown): unknown {
  if (!(error instanceof ApiError) || !Array.isArray(error.problem?.errors)) return error;
  const details = error.details.map((line) => {
    const path = /^([\w.]+): /.exec(line)?.[1];
    const flag = path === undefined ? undefined : FLAG_OF_PATH[path.replace(/\.\d+$/, '')];
    return flag ? `${line} [${flag}]` : line;
  });
  return new CliError(error.message, { details, exitCode: error.exitCode, cause: error });
}

function subjectOf(flags: ApplicationFlags): Partial<ApplicationInput['subject']> {
  return {
    ...(flags.subjectName === undefined ? {} : { name: flags.subjectName }),
    ...(flags.subjectType === undefined ? {} : { type: flags.subjectType }),
    ...(flags.creditCode === undefined ? {} : { creditCode: flags.creditCode }),
    ...(flags.idNumber === undefined ? {} : { idNumber: flags.idNumber }),
  };
}

function siteStateOf(flags: ApplicationFlags, fallbackState?: 'closed'): Record<string, string> {
  const state = flags.siteState ?? fallbackState;
  return {
    ...(state === undefined ? {} : { state }),
    ...(flags.siteSince === undefined ? {} : { since: flags.siteSince }),
    ...(flags.siteTarget === undefined ? {} : { target: flags.siteTarget }),
  };
}

/** The site state with the flags' changes; a site closed after all has no target. */
function mergedSiteState(current: ApplicationInput['siteState'], flags: ApplicationFlags): ApplicationInput['siteState'] {
  const { target, ...merged } = { target: undefined as string | undefined, ...current, ...siteStateOf(flags) };
  return (merged.state === 'closed' || target === undefined ? merged : { ...merged, target }) as ApplicationInput['siteState'];
}

async function readBodyFile(flags: ApplicationFlags, cwd: string): Promise<unknown> {
  const others = BODY_FLAGS.filter((name) => flags[name] !== undefined);
  if (others.length > 0) throw new UsageError('--from gives the whole body: leave out the other body flags.');
  const file = flags.from as string;
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}.`, { cause: error });
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new CliError(`${file} is not JSON: ${(error as Error).message}.`, { cause: error });
  }
}
