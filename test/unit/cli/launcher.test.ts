import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The `bin` entry as npm links it: a real process, Node without flags, the TypeScript compiled by tsx on the fly. */
describe('the icp-cancel executable', () => {
  const bin = join(REPO_ROOT, (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['icp-cancel'] ?? '');

  it('is an executable script with a node shebang', () => {
    expect(readFileSync(bin, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect(() => accessSync(bin, constants.X_OK)).not.toThrow();
  });

  it('runs, and exits non-zero with one line on stderr when something is missing', async () => {
    const version = await exec(bin, ['--version'], { cwd: REPO_ROOT });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);

    const env = { PATH: process.env.PATH ?? '' }; // no ICP_API_URL
    const failed = await exec(process.execPath, [bin, 'batch', 'status', 'bat_1'], { cwd: REPO_ROOT, env }).catch((e: unknown) => e);
    expect(failed).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'icp-cancel: No API URL: pass --api-url or set ICP_API_URL (e.g. http://localhost:3000).\n',
    });
  });
});
