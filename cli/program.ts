import { Command, CommanderError } from 'commander';
import { applicationsCommand } from './commands/applications.ts';
import { evidenceCommand } from './commands/evidence.ts';
import { keysCommand } from './commands/keys.ts';
import { listCommand } from './commands/list.ts';
import { registryCommand } from './commands/registry.ts';
import { releaseCommand } from './commands/release.ts';
import { reportCommand } from './commands/report.ts';
import { reviewsCommand } from './commands/reviews.ts';
import { statusCommand } from './commands/status.ts';
import { submitCommand } from './commands/submit.ts';
import { webhooksCommand } from './commands/webhooks.ts';
import type { CliIo } from './context.ts';
import { CliError, EXIT } from './errors.ts';

export const VERSION = '0.1.0';

const EXIT_CODES = `
Exit codes:
  0  done (rows refused in a batch's or an import's report included)
  1  refused: the API answered 4xx, a file was refused or unreadable, a batch failed
  2  usage: a bad flag or argument, no API URL or key (nothing was sent)
  3  unavailable: no answer, 429 or 5xx, or an answer that is not the API's (trying again may help)

Environment: ICP_API_URL, ICP_API_KEY (an agency key), ICP_OPERATOR_KEY (for \`reviews\`; else ICP_API_KEY).`;

/** Every subcommand, at any depth. */
function allCommands(command: Command): Command[] {
  return command.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/**
 * The command tree: `batch`, `applications`, `evidence`, `webhooks`, `registry`, `keys` (agency key) and
 * `reviews` (operator key), each with its subcommands.
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command('icp-cancel')
    .description('ICP filing cancellations from the command line: single applications, batches, webhooks, the filing registry, reviews and API keys.')
    .version(VERSION)
    .addHelpText('after', EXIT_CODES)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();
  const batch = new Command('batch').description('submit a CSV manifest and follow the batch');
  for (const command of [submitCommand(io), statusCommand(io), reportCommand(io), listCommand(io), releaseCommand(io)]) batch.addCommand(command);
  program
    .addCommand(applicationsCommand(io))
    .addCommand(evidenceCommand(io))
    .addCommand(batch)
    .addCommand(webhooksCommand(io))
    .addCommand(registryCommand(io))
    .addCommand(reviewsCommand(io))
    .addCommand(keysCommand(io));
  // Subcommands copy the parent's settings only when created through .command(); these were built apart.
  for (const command of allCommands(program)) {
    command.exitOverride().configureOutput(program.configureOutput()).showHelpAfterError('(run with --help for usage)');
  }
  return program;
}

/**
 * Runs the command line and returns the exit code (see `EXIT`). Every failure is printed as one line
 * `icp-cancel: <message>`, followed by the API's field errors and hints when it sent any.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its own message (or the help / version, which exit 0).
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      io.stderr.write(`icp-cancel: ${error.message}\n`);
      for (const line of error.details) io.stderr.write(`  - ${line}\n`);
      return error.exitCode;
    }
    // A bug of this client: say so in one line rather than dump a stack (ICP_DEBUG=1 shows it).
    io.stderr.write(`icp-cancel: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (io.env.ICP_DEBUG) io.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
    return EXIT.refused;
  }
}
