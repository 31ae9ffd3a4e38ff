import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { Command } from 'commander';
import { type CliIo, clientFrom, type ConnectionOptions, defaultSleep, intervalMs, withConnection } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';

interface UploadOptions extends ConnectionOptions {
  kind: string;
  contentType?: string;
  interval?: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.pdf': 'application/pdf',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
};
/** How long the API may take to check an uploaded file before we give up waiting. */
const CHECK_TIMEOUT_MS = 120_000;

/**
 * `evidence upload <file> --kind <kind>`: uploads a file shared by many rows (one business licence for all the websites
 * of a subject, one closure proof for a region), waits for the API's check, and prints its id for the manifest's
 * `evidence` column.
 */
export function evidenceCommand(io: CliIo): Command {
  const upload = withConnection(new Command('upload'))
    .description('upload a file shared by many rows of your batches; prints its id for the manifest\'s evidence column')
    .argument('<file>', 'a PDF, JPEG or PNG')
    .requiredOption('--kind <kind>', 'what the file is: closure_proof, migration_proof, business_licence, legal_rep_id, …')
    .option('--content-type <type>', 'default: from the extension (.pdf, .jpg, .jpeg, .png)')
    .option('--interval <seconds>', 'how often to ask whether the file was accepted', '1')
    .action(async (file: string, options: UploadOptions) => {
      const client = clientFrom(options, io);
      const every = intervalMs(options.interval);
      const contentType = options.contentType ?? CONTENT_TYPES[extname(file).toLowerCase()];
      if (!contentType) throw new UsageError(`Cannot tell the type of ${file} from its extension: pass --content-type.`);
      const path = resolve(io.cwd, file);
      const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
        throw new CliError(`Cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}.`, { cause: error });
      });
      if (!info.isFile() || info.size === 0) throw new CliError(`${file} is ${info.isFile() ? 'empty' : 'not a file'}.`);

      const created = await client.createSharedEvidence({ kind: options.kind, contentType, contentLength: info.size });
      await client.upload(created, await readFile(path), file);
      const sleep = io.sleep ?? defaultSleep;
      for (let waited = 0; ; waited += every) {
        const evidence = await client.getSharedEvidence(created.evidenceId);
        if (evidence.status === 'accepted') break;
        if (evidence.status === 'rejected') {
          throw new CliError(`${file} was refused: ${evidence.rejectionReason ?? 'no reason given'} (${created.evidenceId})`);
        }
        if (waited >= CHECK_TIMEOUT_MS) throw new CliError(`${file} was uploaded as ${created.evidenceId} but is still ${evidence.status}.`);
        await sleep(every);
      }
      io.stderr.write(`${file}: accepted as ${options.kind}.\n`);
      io.stdout.write(`${created.evidenceId}\n`);
    });
  return new Command('evidence').description('files shared by many rows of a batch').addCommand(upload);
}
