import { readFileSync } from 'node:fs';

/** CPU seconds used so far by a process, from /proc/<pid>/stat (utime + stime; 100 ticks a second on Linux). */
function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * Waits until this process and DynamoDB Local's JVM have been nearly idle for two seconds in a row: after an ingestion
 * the stream poller and the webhook dispatch go on working for a while, and a measurement started then would pay for
 * them. Idle here is about 3 % of a core for this process and 5–15 % for the JVM (the stream poller's reads), hence
 * the two thresholds (share of one core). Gives up after `timeoutMs`; returns how long it waited.
 */
export async function waitUntilQuiet(jvm: number | undefined, { self: selfMax = 0.1, jvm: jvmMax = 0.3, timeoutMs = 60_000 } = {}): Promise<number> {
  const started = Date.now();
  let calm = 0;
  let self = process.cpuUsage();
  let other = jvm ? cpuSecondsOf(jvm) : 0;
  while (calm < 2 && Date.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, 1000));
    const used = process.cpuUsage(self);
    self = process.cpuUsage();
    const otherNow = jvm ? cpuSecondsOf(jvm) : 0;
    const busy = (used.user + used.system) / 1e6 > selfMax || otherNow - other > jvmMax;
    other = otherNow;
    calm = busy ? 0 : calm + 1;
  }
  return Date.now() - started;
}
