import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** What `npm start` printed once it was ready. */
export interface RuntimeBanner {
  url: string;
  agencyKey: string;
  operatorKey: string;
  /** DynamoDB Local's port: the engine is in a process group of its own and outlives a kill for a moment. */
  dynamoPort: number;
}

/** How long a start may take before the run gives up (synthesis from the cache, DynamoDB Local, the handlers). */
const START_TIMEOUT_MS = 180_000;

/**
 * The local runtime as `npm start` runs it (`infra/local/main.ts`), in a child process of its own process group, so
 * that one SIGKILL takes the whole runtime down at once, as a machine that loses power would. Its output goes to
 * `runtime-<n>.log` beside the data folder.
 */
export class RuntimeProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private starts = 0;
  banner: RuntimeBanner | undefined;

  constructor(private readonly options: { dataDir: string; logDir: string; env: Record<string, string> }) {}

  /** Starts it (again, on the same data folder) and resolves with its banner once it serves. */
  async start(extraEnv: Record<string, string> = {}): Promise<RuntimeBanner> {
    this.starts += 1;
    const log: WriteStream = createWriteStream(join(this.options.logDir, `runtime-${this.starts}.log`));
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.options.env, ...extraEnv, DATA_DIR: this.options.dataDir },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    let output = '';
    const banner = await new Promise<RuntimeBanner>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the runtime did not start in ${START_TIMEOUT_MS / 1000} s; see ${this.options.logDir}`)), START_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (!output.includes('Stop with Ctrl+C.')) return;
        child.stdout?.off('data', onData);
        clearTimeout(timer);
        const field = (pattern: RegExp) => pattern.exec(output)?.[1] ?? '';
        resolve({
          url: field(/running locally at (\S+)/),
          agencyKey: field(/agency key:\s+(\S+)/),
          operatorKey: field(/operator key:\s+(\S+)/),
          dynamoPort: Number(field(/DynamoDB:\s+http:\/\/127\.0\.0\.1:(\d+)/)),
        });
      };
      child.stdout?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the runtime exited before it served (${signal ?? code}); see ${this.options.logDir}/runtime-${this.starts}.log`));
      });
    });
    this.banner = banner;
    return banner;
  }

  /**
   * SIGKILL to the runtime's whole process group: nothing of it runs a line more. DynamoDB Local (the stand-in for
   * the managed service, in its own group) is then stopped by its watchdog; resolves once its port is closed, so
   * that a start on the same data folder finds the database free.
   */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    process.kill(-child.pid, 'SIGKILL');
    await this.exited;
    const port = this.banner?.dynamoPort;
    if (port) await untilClosed(port, 60_000);
  }

  /** Stops it as Ctrl+C would, or kills it after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Kills it at once when this process exits without stopping it (an uncaught error, Ctrl+C). */
  killOnExit(): () => void {
    const handler = () => {
      if (this.child?.pid && this.child.exitCode === null && this.child.signalCode === null) {
        try {
          process.kill(-this.child.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    };
    process.on('exit', handler);
    return () => process.off('exit', handler);
  }
}

/** Resolves once nothing accepts connections on `port` (or after `timeoutMs`). */
async function untilClosed(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (!open) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
