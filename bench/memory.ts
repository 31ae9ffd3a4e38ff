import { readdirSync, readFileSync } from 'node:fs';

/** Resident set size of a process in bytes, from /proc (undefined when it is gone or /proc is not there). */
export function rssOf(pid: number): number | undefined {
  return procStatusKb(pid, 'VmRSS');
}

/** The kernel's own peak resident set size of a process ("high water mark"), in bytes. */
export function peakRssOf(pid: number): number | undefined {
  return procStatusKb(pid, 'VmHWM');
}

function procStatusKb(pid: number, field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The DynamoDB Local JVM whose `-dbPath` lies under `dataDir` (ours, not another run's). */
export function findDynamoDbLocalPid(dataDir: string): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const dbPath = args[args.indexOf('-dbPath') + 1];
      if (args.some((a) => a.endsWith('DynamoDBLocal.jar')) && /java$/.test(args[0] ?? '') && dbPath?.startsWith(dataDir)) {
        return Number(entry);
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

/** The highest RSS seen for this process and (optionally) another, sampled every `everyMs` between start and stop. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  peakSelf = 0;
  peakOther = 0;

  constructor(
    private readonly otherPid: number | undefined,
    private readonly everyMs = 50,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
    return this;
  }

  stop(): this {
    clearInterval(this.timer);
    this.sample();
    return this;
  }

  private sample(): void {
    this.peakSelf = Math.max(this.peakSelf, process.memoryUsage.rss());
    if (this.otherPid !== undefined) this.peakOther = Math.max(this.peakOther, rssOf(this.otherPid) ?? 0);
  }
}
