import { Command, CommanderError } from 'commander';
import { evidenceCommand } from './commands/evidence.ts';
import { listCommand } from './commands/list.ts';
import { releaseCommand } from './commands/release.ts';
import { reportCommand } from './commands/report.ts';
import { statusCommand } from './commands/status.ts';
import { submitCommand } from './commands/submit.ts';
import type { CliIo } from './context.ts';
import { CliError } from './errors.ts';

export const VERSION = '0.1.0';

/** The command tree: `icp-cancel batch submit|status|report|list|release` and `icp-cancel evidence upload`. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('icp-cancel')
    .description('Bulk ICP filing cancellations from the command line.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();
  const batch = new Command('batch').description('submit a CSV manifest and follow the batch');
  for (const command of [submitCommand(io), statusCommand(io), reportCommand(io), listCommand(io), releaseCommand(io)]) batch.addCommand(command);
  const evidence = evidenceCommand(io);
  program.addCommand(batch).addCommand(evidence);
  // Subcommands copy the parent's settings only when created through .command(); these were built apart.
  for (const command of [batch, ...batch.commands, evidence, ...evidence.commands]) {
    command.exitOverride().configureOutput(program.configureOutput()).showHelpAfterError('(run with --help for usage)');
  }
  return program;
}

/**
 * Runs the command line and returns the exit code: 0 done, 1 failed (the API, the network, the file), 2 usage.
 * Every failure is printed as one line `icp-cancel: <message>`, followed by the API's field errors when it sent any.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its own message (or the help / version, which exit 0).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      io.stderr.write(`icp-cancel: ${error.message}\n`);
      for (const line of error.details) io.stderr.write(`  - ${line}\n`);
      return error.exitCode;
    }
    // A bug of this client: say so in one line rather than dump a stack (ICP_DEBUG=1 shows it).
    io.stderr.write(`icp-cancel: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (io.env.ICP_DEBUG) io.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
    return 1;
  }
}
