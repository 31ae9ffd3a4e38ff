import { run } from './program.ts';

// The entry point behind `cli/icp-cancel.mjs`: the real process's streams and environment.
process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
