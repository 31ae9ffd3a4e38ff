import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuSecondsOf, threadCpuSecondsOf } from '../../../bench/cpu.ts';

/** Spins for `ms` of wall time on this thread. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

describe('bench CPU accounting from /proc', () => {
  it('counts the CPU a process uses', () => {
    const before = cpuSecondsOf(process.pid) ?? Number.NaN;
    spin(300);
    const used = (cpuSecondsOf(process.pid) ?? Number.NaN) - before;
    // 300 ms of spinning is at least 0.2 s of CPU even on a busy machine; never more than the wall time and a tick.
    expect(used).toBeGreaterThanOrEqual(0.2);
    expect(used).toBeLessThan(5);
  });

  it("counts a named thread's CPU apart from the rest of the process", () => {
    const main = readMainThreadName();
    const before = threadCpuSecondsOf(process.pid, main) ?? Number.NaN;
    spin(300);
    const used = (threadCpuSecondsOf(process.pid, main) ?? Number.NaN) - before;
    expect(used).toBeGreaterThanOrEqual(0.2);
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
