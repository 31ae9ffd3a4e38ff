import { type Amount, COMPONENTS, type PathCost } from './model.ts';

/** Renders the cost of each path as text: a table per component, then a summary; figures per 1,000 units. */

const number = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function amount({ value, unit }: Amount, factor: number): string {
  const scaled = value * factor;
  const digits = Number.isInteger(scaled) || scaled >= 100 ? 0 : scaled >= 1 ? 1 : 3;
  return `${number(scaled, digits)} ${unit}`;
}

/** Columns padded to their widest cell; numbers right-aligned. */
function table(rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** One path: a block per component (its lines, per 1,000 units, and its subtotal with its share), then the total. */
export function renderPath(path: PathCost): string {
  const factor = 1000 / path.units;
  const total = path.perThousand;
  const rows: string[][] = [['component', 'item', 'per 1,000 ' + plural(path.per), 'USD', 'share', 'note']];
  for (const component of COMPONENTS) {
    const lines = path.lines.filter((l) => l.component === component);
    if (lines.length === 0) continue;
    const subtotal = lines.reduce((sum, l) => sum + l.usd * factor, 0);
    lines.forEach((line, i) => {
      rows.push([i === 0 ? component : '', line.item, line.amounts.map((a) => amount(a, factor)).join(', '), number(line.usd * factor, 4), '', line.note ?? '']);
    });
    rows.push(['', `= ${component}`, '', number(subtotal, 4), `${number((100 * subtotal) / total, 1)} %`, '']);
  }
  rows.push(['total', '', '', number(total, 4), '100 %', '']);
  const rule = '-'.repeat(Math.max(...table(rows, new Set([3, 4])).map((l) => l.length)));
  return [
    `${path.title}`,
    rule,
    ...table(rows, new Set([3, 4])).flatMap((line, i) => (i === 0 ? [line, rule] : [line])),
    rule,
    ...path.caveats.map((c) => `note: ${c}`),
  ].join('\n');
}

/** USD per 1,000 units by component, one column per path. */
export function renderSummary(paths: readonly PathCost[]): string {
  const header = ['USD per 1,000', ...paths.map((p) => `${p.id} (${plural(p.per)})`)];
  const rows = [header];
  for (const component of COMPONENTS) {
    const values = paths.map((p) => p.lines.filter((l) => l.component === component).reduce((s, l) => s + (l.usd * 1000) / p.units, 0));
    if (values.every((v) => v === 0)) continue;
    rows.push([component, ...values.map((v) => number(v, 4))]);
  }
  rows.push(['total', ...paths.map((p) => number(p.perThousand, 4))]);
  const right = new Set(header.map((_, i) => i).filter((i) => i > 0));
  const lines = table(rows, right);
  const rule = '-'.repeat(Math.max(...lines.map((l) => l.length)));
  return [rule, lines[0], rule, ...lines.slice(1, -1), rule, lines.at(-1), rule].join('\n');
}

/** Whether the model's transitions match the engine's, per state machine; the states that differ when they do not. */
export function renderCheck(paths: readonly PathCost[]): string {
  return paths
    .map((p) => {
      const machines = new Set([...Object.keys(p.transitions.model), ...Object.keys(p.transitions.engine)]);
      const parts = [...machines].sort().map((m) => {
        const model = p.transitions.model[m]?.byState ?? {};
        const engine = p.transitions.engine[m] ?? {};
        const states = new Set([...Object.keys(model), ...Object.keys(engine)]);
        const off = [...states].filter((s) => (model[s] ?? 0) !== (engine[s] ?? 0)).map((s) => `${s} model ${model[s] ?? 0} engine ${engine[s] ?? 0}`);
        const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
        return off.length === 0 ? `${m} ${sum(model)} = ${sum(engine)}` : `${m} DIFFERS (${off.join('; ')})`;
      });
      return `transitions, model vs local engine, ${p.id}: ${parts.join(', ')}`;
    })
    .join('\n');
}

/** Whether every path's model agrees with the engine. */
export function modelMatchesEngine(path: PathCost): boolean {
  const machines = new Set([...Object.keys(path.transitions.model), ...Object.keys(path.transitions.engine)]);
  return [...machines].every((m) => {
    const model = path.transitions.model[m]?.byState ?? {};
    const engine = path.transitions.engine[m] ?? {};
    return [...new Set([...Object.keys(model), ...Object.keys(engine)])].every((s) => (model[s] ?? 0) === (engine[s] ?? 0));
  });
}

/** The last line `npm run cost` prints, exactly. */
export function headline(happy: PathCost, rejectedOnce: PathCost): string {
  return `cost per 1,000 cancellations: happy $${happy.perThousand.toFixed(2)}, rejected-once $${rejectedOnce.perThousand.toFixed(2)}`;
}

function plural(per: string): string {
  return per === 'delivery' ? 'deliveries' : `${per}s`;
}
