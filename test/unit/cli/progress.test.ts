import { describe, expect, it } from 'vitest';
import { batchProgress, ProgressDisplay, renderBar, renderProgressLine } from '../../../cli/progress.ts';
import { batchView as view } from './fake-api.ts';

describe('progress rendering', () => {
  it('draws a bar of the given width for a fraction, clamped to 0..1', () => {
    expect(renderBar(0, 10)).toBe('[░░░░░░░░░░]');
    expect(renderBar(0.45, 10)).toBe('[█████░░░░░]');
    expect(renderBar(1, 10)).toBe('[██████████]');
    expect(renderBar(7, 4)).toBe('[████]');
    expect(renderBar(Number.NaN, 4)).toBe('[░░░░]');
  });

  it("takes the API's progress, clamped to 0..1", () => {
    expect(batchProgress(view({ progress: 0.25, rows: { total: 100, processed: 0 } }))).toBe(0.25);
    expect(batchProgress(view({ progress: 1.5 }))).toBe(1);
    expect(batchProgress(view({}))).toBe(0);
  });

  it('shows the stage, the rows and the non-zero counts in lifecycle order', () => {
    // Prepare
    const batch = view({
      rows: { total: 10_000, processed: 4_000, accepted: 3_880, rejected: 120 },
      counts: { approved: 0, submitted: 30, draft: 3_850 },
      progress: 0.012,
    });

    // Act
    const line = renderProgressLine(batch, 10);

    // Assess
    expect(line).toBe('[░░░░░░░░░░]   1%  ingesting · rows 4,000/10,000, 120 refused · draft 3,850 · submitted 30');
  });

  it('redraws in place on a terminal, cut to its width', () => {
    // Prepare
    const written: string[] = [];
    const display = new ProgressDisplay({ write: (s: string) => written.push(s), isTTY: true, columns: 40 });
    const batch = view({ rows: { total: 10, processed: 5 }, counts: { draft: 5 } });

    // Act
    display.update(batch);
    display.update(batch);
    display.finish(view({ status: 'completed', rows: { total: 10, processed: 10, accepted: 10 }, counts: { approved: 10 }, progress: 1 }));

    // Assess
    expect(written).toHaveLength(3);
    expect(written[0]).toMatch(/^\r\x1b\[2K\[/);
    expect(written[0]?.length).toBeLessThanOrEqual('\r\x1b[2K'.length + 40);
    expect(written[0]).toMatch(/…$/);
    expect(written[2]).toMatch(/100%  completed · rows 10\/10 · approved 10\n$/);
  });

  it('elsewhere writes whole lines, only when they change and at most every logEveryMs', () => {
    // Prepare
    const written: string[] = [];
    let now = 0;
    const display = new ProgressDisplay({ write: (s: string) => written.push(s) }, { logEveryMs: 1_000, now: () => now });
    const at = (processed: number) => view({ rows: { total: 10, processed }, counts: { draft: processed } });

    // Act
    display.update(at(1));
    now = 500;
    display.update(at(2)); // too soon
    now = 1_600;
    display.update(at(2));
    now = 5_000;
    display.update(at(2)); // unchanged
    display.finish(at(3));

    // Assess
    expect(written.map((l) => /rows (\d+)/.exec(l)?.[1])).toEqual(['1', '2', '3']);
    expect(written.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
  });
});
