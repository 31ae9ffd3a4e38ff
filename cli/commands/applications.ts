import { Command, Option } from 'commander';
import type { ApiClient } from '../api-client.ts';
import type { Application } from '../api-types.ts';
import { type ApplicationFlags, applicationCorrection, applicationInput, bodyIdempotencyKey, withApplicationFlags, withFlagHints } from '../application-body.ts';
import { applicationLine, langOf, renderApplication, statusLine } from '../application-text.ts';
import { type CliIo, clientFrom, type ConnectionOptions, limitOf, withConnection, writeJson, writeMore } from '../context.ts';

interface JsonOption extends ConnectionOptions {
  json?: boolean;
}

/**
 * `applications create|get|list|submit|resubmit|withdraw`: one cancellation at a time. Writes print the application's
 * id and status on stdout (`--json`: the API's answer), reads a text for a person or `--json`.
 */
export function applicationsCommand(io: CliIo): Command {
  const create = withApplicationFlags(withConnection(new Command('create')), 'create')
    .description('create a draft application (prints its id; the evidence it needs goes to stderr)')
    .option('--idempotency-key <key>', 'reuse a key to retry safely (default: derived from the body)')
    .option('--json', "print the API's answer as JSON")
    .action(async (options: ApplicationFlags & JsonOption & { idempotencyKey?: string }) => {
      const client = clientFrom(options, io);
      const body = await applicationInput(options, io.cwd);
      const { application, replayed } = await client.createApplication(body, options.idempotencyKey ?? bodyIdempotencyKey(body)).catch((e: unknown) => {
        throw withFlagHints(e);
      });
      if (options.json) return writeJson(io, application);
      const needs = application.requiredEvidence.length > 0 ? `; needs ${application.requiredEvidence.join(', ')}` : '';
      io.stderr.write(
        replayed
          ? `Application ${application.id} already exists for this idempotency key (${application.status}): nothing new created.\n`
          : `Application ${application.id} created (${application.status})${needs}.\n`,
      );
      for (const warning of application.warnings) io.stderr.write(`warning: ${warning.message} (${warning.code})\n`);
      io.stdout.write(`${application.id}\n`);
    });

  const get = withConnection(new Command('get'))
    .description('show an application: its data, evidence, rejection reasons with what to fix, and timeline')
    .argument('<application-id>', 'app_…')
    .addOption(new Option('--lang <lang>', 'the language of titles and fix hints (default: from $LANG)').choices(['zh', 'en']))
    .option('--json', "print the API's answer as JSON")
    .action(async (id: string, options: JsonOption & { lang?: string }) => {
      const application = await clientFrom(options, io).getApplication(id);
      if (options.json) return writeJson(io, application);
      io.stdout.write(`${renderApplication(application, langOf(options.lang, io.env))}\n`);
    });

  const list = withConnection(new Command('list'))
    .description('list your applications, newest first, one a line (id, status, filing, website, your reference)')
    .option('--batch <batch-id>', "only one batch's applications")
    .option('--status <statuses>', 'only these statuses, comma-separated (e.g. submitted,under_review)')
    .option('--filing-number <filing>', "only this filing's applications")
    .option('--customer-ref <ref>', 'only this customer reference (exact)')
    .option('--order <order>', 'newest (default) or oldest first')
    .option('--limit <n>', 'how many (1-200, default 50; a filtered page may hold fewer, with a cursor to go on)')
    .option('--cursor <cursor>', 'the page after the one that printed it')
    .option('--json', "print the API's answer as JSON")
    .action(async (options: JsonOption & { batch?: string; limit?: string; cursor?: string; status?: string; filingNumber?: string; customerRef?: string; order?: string }) => {
      const limit = limitOf(options.limit, 200) ?? 50;
      const page = await clientFrom(options, io).listApplications({
        limit,
        ...(options.cursor ? { cursor: options.cursor } : {}),
        ...(options.batch ? { batchId: options.batch } : {}),
        ...(options.status ? { status: options.status } : {}),
        ...(options.filingNumber ? { filingNumber: options.filingNumber } : {}),
        ...(options.customerRef ? { customerRef: options.customerRef } : {}),
        // Passed as given: the API's 400 names the allowed values.
        ...(options.order ? { order: options.order as 'newest' | 'oldest' } : {}),
      });
      if (options.json) return writeJson(io, page);
      if (page.items.length === 0 && !options.cursor) io.stderr.write('No applications yet.\n');
      for (const application of page.items) io.stdout.write(`${applicationLine(application)}\n`);
      writeMore(io, page.nextCursor);
    });

  const submit = action('submit', 'submit a draft for review (422 names the evidence still missing)', (client, id) => client.submitApplication(id));

  const resubmit = withApplicationFlags(withConnection(new Command('resubmit')), 'correct')
    .description('submit a rejected application again, with corrections (only the fields given change)')
    .argument('<application-id>', 'app_…')
    .option('--json', "print the API's answer as JSON")
    .action(async (id: string, options: ApplicationFlags & JsonOption) => {
      const client = clientFrom(options, io);
      const corrections = await applicationCorrection(options, io.cwd, () => client.getApplication(id));
      const application = await client.resubmitApplication(id, corrections).catch((e: unknown) => {
        throw withFlagHints(e);
      });
      printAction(io, application, options);
    });

  const withdraw = action('withdraw', 'withdraw an application the authority does not hold yet (draft, submitted, or rejected)', (client, id) =>
    client.withdrawApplication(id),
  );

  function action(name: string, description: string, call: (client: ApiClient, id: string) => Promise<Application>): Command {
    return withConnection(new Command(name))
      .description(description)
      .argument('<application-id>', 'app_…')
      .option('--json', "print the API's answer as JSON")
      .action(async (id: string, options: JsonOption) => printAction(io, await call(clientFrom(options, io), id), options));
  }

  return new Command('applications')
    .description('single applications: create, upload evidence (see `evidence upload`), submit, follow')
    .addCommand(create)
    .addCommand(get)
    .addCommand(list)
    .addCommand(submit)
    .addCommand(resubmit)
    .addCommand(withdraw);
}

function printAction(io: CliIo, application: Application, options: JsonOption): void {
  if (options.json) writeJson(io, application);
  else io.stdout.write(`${statusLine(application)}\n`);
}
