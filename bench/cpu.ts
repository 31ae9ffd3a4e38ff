import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The kernel's clock ticks a second (`getconf CLK_TCK`; 100 on Linux nearly everywhere), read once. */
let ticksPerSecond: number | undefined;

/**
 * CPU time a process has used so far (user + system), in seconds, from /proc; undefined when it is gone or /proc is
 * not there. A machine shared with other work stretches wall times far more than the CPU a piece of work needs, so
 * the bench reports both.
 */
export function cpuSecondsOf(pid: number): number | undefined {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/**
 * CPU time the threads of `pid` whose name starts with `prefix` have used (Linux keeps a thread's first 15
 * characters), in seconds; undefined when there is none. DynamoDB Local runs every table operation on one thread,
 * `SQLiteQueue[…]`: its time is the engine's floor for a piece of work, whatever the cores.
 */
export function threadCpuSecondsOf(pid: number, prefix: string): number | undefined {
  let total: number | undefined;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      if (!name.startsWith(prefix)) continue;
      total = (total ?? 0) + (statCpuSeconds(`/proc/${pid}/task/${tid}/stat`) ?? 0);
    }
  } catch {
    // The process (or a thread) ended while we looked.
  }
  return total;
}

function statCpuSeconds(file: string): number | undefined {
  try {
    const stat = readFileSync(file, 'utf8');
    // Fields after the command name (which may hold spaces, inside parentheses): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/** DynamoDB Local's one thread for every table operation (`SQLiteQueue[shared-local-instance.db]`, cut to 15). */
export const DYNAMODB_LOCAL_QUEUE_THREAD = 'SQLiteQueue';

export interface CpuUsed {
  /** This process. */
  self: number;
  /** The other process (DynamoDB Local's JVM): undefined without its pid. */
  other: number | undefined;
  /** Its table-operation thread (`DYNAMODB_LOCAL_QUEUE_THREAD`): undefined without it. */
  queue: number | undefined;
}

/** CPU seconds this process and another (DynamoDB Local's JVM, and its queue thread) use between `start` and `stop`. */
export class CpuMeter {
  private at: CpuUsed = { self: 0, other: undefined, queue: undefined };

  constructor(private readonly otherPid: number | undefined) {}

  start(): this {
    this.at = this.read();
    return this;
  }

  /** Seconds used since `start`. */
  stop(): CpuUsed {
    const now = this.read();
    const minus = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a - b);
    return { self: now.self - this.at.self, other: minus(now.other, this.at.other), queue: minus(now.queue, this.at.queue) };
  }

  private read(): CpuUsed {
    const pid = this.otherPid;
    const self = process.cpuUsage();
    return {
      self: (self.user + self.system) / 1e6,
      other: pid === undefined ? undefined : cpuSecondsOf(pid),
      queue: pid === undefined ? undefined : threadCpuSecondsOf(pid, DYNAMODB_LOCAL_QUEUE_THREAD),
    };
  }
}
