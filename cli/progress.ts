import { ApplicationStatus } from '../shared/domain/application.ts';
import type { BatchView } from './api-client.ts';

const STATUS_ORDER: readonly string[] = ApplicationStatus.options;

/** How far a batch is, from 0 to 1: rows that reached an end (refused, or an application in a final status), as the API counts them. */
export function batchProgress(batch: BatchView): number {
  return clamp(batch.progress);
}

/** `[██████░░░░░░░░░░░░░░]` for a fraction. */
export function renderBar(fraction: number, width = 20): string {
  const filled = Math.round(clamp(fraction) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/**
 * One line for a batch: `[████░░…]  40%  ingesting · rows 4,000/10,000, 120 refused · draft 3,880`.
 * Statuses come in lifecycle order, those at zero left out.
 */
export function renderProgressLine(batch: BatchView, width = 20): string {
  const fraction = batchProgress(batch);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const total = batch.rows.total === undefined ? '?' : n(batch.rows.total);
  const rows = `rows ${n(batch.rows.processed)}/${total}${batch.rows.rejected ? `, ${n(batch.rows.rejected)} refused` : ''}`;
  const statuses = Object.entries(batch.counts)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([status, count]) => `${status} ${n(count)}`);
  return [`${renderBar(fraction, width)} ${percent}  ${batch.status}`, rows, ...statuses].join(' · ');
}

/** Where the progress goes: stderr, so that stdout stays clean for scripts. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Shows the progress line: on a terminal it is redrawn in place (`\r` + erase line, cut to the terminal's width);
 * elsewhere (a CI log, a file) a line is written only when it changed and at most every `logEveryMs`.
 */
export class ProgressDisplay {
  private last = '';
  private lastWrittenAt = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly options: { logEveryMs?: number; now?: () => number } = {},
  ) {}

  update(batch: BatchView): void {
    const line = renderProgressLine(batch);
    if (this.stream.isTTY) {
      const columns = this.stream.columns ?? 120;
      this.stream.write(`\r\x1b[2K${line.length >= columns ? `${line.slice(0, columns - 2)}…` : line}`);
      this.drawn = true;
      return;
    }
    const now = (this.options.now ?? Date.now)();
    if (line === this.last || now - this.lastWrittenAt < (this.options.logEveryMs ?? 5_000)) return;
    this.last = line;
    this.lastWrittenAt = now;
    this.stream.write(`${line}\n`);
  }

  /** Writes the final state in full and ends the line. */
  finish(batch: BatchView): void {
    const line = renderProgressLine(batch);
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K${line}\n`);
    else if (line !== this.last) this.stream.write(`${line}\n`);
    this.drawn = false;
  }

  /** Ends a line drawn in place, before an error message is printed under it. */
  interrupt(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

function rank(status: string): number {
  const i = STATUS_ORDER.indexOf(status);
  return i < 0 ? STATUS_ORDER.length : i;
}

function clamp(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

function n(x: number): string {
  return x.toLocaleString('en-US');
}
