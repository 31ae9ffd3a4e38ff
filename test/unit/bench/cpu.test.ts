import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuSecondsOf, threadCpuSecondsOf } from '../../../bench/cpu.ts';

/**
 * Spins on this thread until Node's own accounting (`process.cpuUsage`) shows `ms` more of CPU (at most 10 s of wall
 * time, on a machine busy enough to starve it); the CPU it used, by that accounting, in seconds.
 */
function spinCpu(ms: number): number {
  const start = process.cpuUsage();
  const giveUpAt = performance.now() + 10_000;
  for (;;) {
    const used = process.cpuUsage(start);
    const seconds = (used.user + used.system) / 1e6;
    if (seconds * 1000 >= ms || performance.now() > giveUpAt) return seconds;
  }
}

describe('bench CPU accounting from /proc', () => {
  it('counts the CPU a process uses, as Node itself counts it', () => {
    const before = cpuSecondsOf(process.pid) ?? Number.NaN;
    const spun = spinCpu(300);
    const used = (cpuSecondsOf(process.pid) ?? Number.NaN) - before;
    // The kernel counts in ticks (10 ms): the two accounts agree within a few of them.
    expect(spun).toBeGreaterThanOrEqual(0.3);
    expect(Math.abs(used - spun)).toBeLessThan(0.05);
  });

  it("counts a named thread's CPU apart from the rest of the process", () => {
    const main = readMainThreadName();
    const before = threadCpuSecondsOf(process.pid, main) ?? Number.NaN;
    const spun = spinCpu(300);
    const used = (threadCpuSecondsOf(process.pid, main) ?? Number.NaN) - before;
    // The spinning is this thread's; the process's other threads (the collector, libuv) may add a little beside it.
    expect(used).toBeGreaterThanOrEqual(spun - 0.05);
    expect(threadCpuSecondsOf(process.pid, main)).toBeLessThanOrEqual(cpuSecondsOf(process.pid) ?? 0);
  });

  it('answers undefined for a thread or a process that is not there', () => {
    expect(threadCpuSecondsOf(process.pid, 'no-such-thread')).toBeUndefined();
    expect(cpuSecondsOf(2 ** 22 + 1)).toBeUndefined();
  });
});

/** The name Linux gives this process's main thread (its command, cut to 15 characters). */
function readMainThreadName(): string {
  return readFileSync(`/proc/${process.pid}/task/${process.pid}/comm`, 'utf8').trim();
}
