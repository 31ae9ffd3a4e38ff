import { Command, Option } from 'commander';
import { EvidenceKind } from '../../shared/domain/evidence-matrix.ts';
import type { ApiClient } from '../api-client.ts';
import type { EvidenceKind as Kind } from '../api-types.ts';
import { type Check, checkLine } from '../application-text.ts';
import { type CliIo, clientFrom, type ConnectionOptions, defaultSleep, intervalMs, withConnection, writeJson } from '../context.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';
import { readUploadFile } from '../upload-file.ts';

interface UploadOptions extends ConnectionOptions {
  kind?: Kind;
  contentType?: string;
  interval?: string;
  wait: boolean;
  json?: boolean;
}

/** How long the API may take to check an uploaded file before we give up waiting. */
const CHECK_TIMEOUT_MS = 120_000;

/**
 * `evidence upload <application-id> <file>`: declares an application's file (its kind, type and size), PUTs it to the
 * presigned URL and waits for the API's check. `evidence upload <file> --kind …` does the same for a file shared by
 * many rows of batches (one business licence for all the websites of a subject), whose id goes in the manifest's
 * `evidence` column. Either prints the evidence id.
 */
export function evidenceCommand(io: CliIo): Command {
  const upload = withConnection(new Command('upload'))
    .description("upload an application's evidence file, or (without an application id) a file shared by many rows of your batches; waits for the check and prints the evidence id")
    // Both optional to commander, which would otherwise give a lone argument to the id: checked in the action.
    .usage('[options] [application-id] <file>')
    .argument('[application-id]', 'the application the file is for (app_…); leave out for a shared file')
    .argument('[file]', 'a PDF, JPEG or PNG')
    .addOption(
      new Option('--kind <kind>', "what the file is (for an application: default the one kind it still misses)").choices(EvidenceKind.options),
    )
    .option('--content-type <type>', 'default: from the extension (.pdf, .jpg, .jpeg, .png)')
    .option('--interval <seconds>', 'how often to ask whether the file was accepted', '1')
    .option('--no-wait', 'print the id once uploaded, without waiting for the check')
    .option('--json', 'print the evidence as the API shows it once checked')
    .action(async (first: string | undefined, second: string | undefined, options: UploadOptions) => {
      if (first === undefined) throw new UsageError("missing required argument 'file'");
      const [applicationId, file] = second === undefined ? [undefined, first] : [first, second];
      const client = clientFrom(options, io);
      const every = intervalMs(options.interval);
      if (!applicationId && !options.kind) throw new UsageError('A shared file needs --kind (closure_proof, business_licence, …).');
      if (options.json && !options.wait) throw new UsageError('--json prints the evidence once checked: leave out --no-wait.');
      const upload = await readUploadFile(file, io.cwd, options.contentType);
      const kind = options.kind ?? (await missingKind(client, applicationId as string));
      const declaration = { kind, contentType: upload.contentType, contentLength: upload.bytes.length };

      const created = applicationId ? await client.createEvidenceUpload(applicationId, declaration) : await client.createSharedEvidence(declaration);
      await client.upload(created, upload.bytes, file, upload.contentType);
      if (!options.wait) {
        io.stderr.write(`${file}: uploaded as ${kind}; the check runs now.\n`);
        io.stdout.write(`${created.evidenceId}\n`);
        return;
      }
      const check = (): Promise<Check> => (applicationId ? applicationEvidence(client, applicationId, created.evidenceId) : client.getSharedEvidence(created.evidenceId));
      const checked = await waitForCheck(check, file, created.evidenceId, every, io.sleep ?? defaultSleep);
      if (options.json) return writeJson(io, checked);
      io.stderr.write(`${file}: accepted as ${kind}${checked.sha256 ? ` (SHA-256 ${checked.sha256})` : ''}.\n`);
      io.stdout.write(`${created.evidenceId}\n`);
    });

  const status = withConnection(new Command('status'))
    .description('show a shared file and its check')
    .argument('<evidence-id>', 'the id printed by `evidence upload <file>` (ev_…)')
    .option('--json', "print the API's answer as JSON")
    .action(async (id: string, options: ConnectionOptions & { json?: boolean }) => {
      const evidence = await clientFrom(options, io).getSharedEvidence(id);
      if (options.json) return writeJson(io, evidence);
      io.stdout.write(`${checkLine(evidence)}\n`);
    });

  return new Command('evidence').description("applications' evidence files, and files shared by many rows of a batch").addCommand(upload).addCommand(status);
}

/** The kind to upload when none is given: the application's one missing kind, or a usage error naming them. */
async function missingKind(client: ApiClient, applicationId: string): Promise<Kind> {
  const application = await client.getApplication(applicationId);
  const [only, ...more] = application.missingEvidence;
  if (only && more.length === 0) return only;
  throw new UsageError(
    only
      ? `${applicationId} misses ${application.missingEvidence.join(', ')}: pass --kind.`
      : `${applicationId} misses no evidence (it needs ${application.requiredEvidence.join(', ') || 'none'}): pass --kind to replace a file.`,
  );
}

async function applicationEvidence(client: ApiClient, applicationId: string, evidenceId: string): Promise<Check> {
  const application = await client.getApplication(applicationId);
  const evidence = application.evidence.find((e) => e.evidenceId === evidenceId);
  if (!evidence) throw new CliError(`${applicationId} does not list the evidence ${evidenceId} it was uploaded as.`);
  return evidence;
}

/** Polls the file's check until it is accepted (returned) or refused (a `CliError` with the API's reason). */
async function waitForCheck(
  check: () => Promise<Check>,
  file: string,
  evidenceId: string,
  every: number,
  sleep: (ms: number) => Promise<void>,
): Promise<Check> {
  for (let waited = 0; ; waited += every) {
    const evidence = await check();
    if (evidence.status === 'accepted') return evidence;
    if (evidence.status === 'rejected') {
      const code = evidence.rejectionCode ? `, ${evidence.rejectionCode}` : '';
      throw new CliError(`${file} was refused: ${evidence.rejectionReason ?? 'no reason given'} (${evidenceId}${code})`);
    }
    if (waited >= CHECK_TIMEOUT_MS) throw new CliError(`${file} was uploaded as ${evidenceId} but is still ${evidence.status}.`, { exitCode: EXIT.unavailable });
    await sleep(every);
  }
}
