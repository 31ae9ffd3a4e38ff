import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CancellationKind, CancellationReason, type SiteState, SubjectType } from '../../shared/domain/application.ts';
import { EVIDENCE_RULES, EvidenceKind, evidenceRule, requiredEvidence } from '../../shared/domain/evidence-matrix.ts';
import { REJECTION_REASONS } from '../../shared/domain/rejection-reasons.ts';
import { METRIC_NAMES } from '../../shared/observability/metric-names.ts';

/**
 * The README's ICP tables are documentation of code: this test reads them back and compares them with the evidence
 * matrix and the rejection catalogue, so that a change to either fails here until the README says the same.
 */

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The text of a `### title` section, up to the next heading of level 2 or 3. */
function section(title: string): string {
  const start = README.indexOf(`\n### ${title}\n`);
  expect(start, `README section "${title}"`).toBeGreaterThan(0);
  const rest = README.slice(start + 1);
  const end = rest.slice(4).search(/\n#{2,3} /);
  return end < 0 ? rest : rest.slice(0, end + 4);
}

/** The Markdown tables of a text, each as rows of trimmed cells (header row first, separator row dropped). */
function tables(text: string): string[][][] {
  const found: string[][][] = [];
  let current: string[][] | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      current = undefined;
      continue;
    }
    if (/^\|[-| ]+\|$/.test(line)) continue;
    const cells = line.slice(1, -1).split('|').map((c) => c.trim());
    if (!current) found.push((current = []));
    current.push(cells);
  }
  return found;
}

function table(text: string, firstHeader: string): string[][] {
  const found = tables(text).find((t) => t[0]?.[0] === firstHeader);
  expect(found, `a table whose first column is "${firstHeader}"`).toBeDefined();
  return (found as string[][]).slice(1);
}

/** The `code` names in a cell. */
const codes = (cell: string) => [...cell.matchAll(/`([a-z_A-Z]+)`/g)].map((m) => m[1] as string);

const SITE_STATES: SiteState[] = [
  { state: 'closed', since: '2026-01-05' },
  { state: 'migrated', target: 'new.example.com', since: '2026-01-05' },
];

/** Combinations the kind rules refuse outright, so the matrix need not list them. */
const refused = (kind: string, subject: string, reason: string) =>
  subject === 'individual' && (reason === 'company_dissolved' || kind === 'cancel_licence');

describe('README: evidence matrix', () => {
  const text = section('Evidence matrix');
  const matrix = table(text, 'kind').map(([kinds = '', subject = '', reason = '', documents = '']) => ({
    kinds: codes(kinds),
    subject: subject as SubjectType,
    reasons:
      reason === 'any'
        ? CancellationReason.options
        : reason.startsWith('not ')
          ? CancellationReason.options.filter((r) => !codes(reason).includes(r))
          : (codes(reason) as CancellationReason[]),
    documents: codes(documents) as EvidenceKind[],
  }));

  it('lists what requiredEvidence requires, for every site state, with and without the signed-form policy', () => {
    for (const row of matrix) {
      for (const kind of row.kinds as CancellationKind[]) {
        for (const reason of row.reasons) {
          for (const siteState of SITE_STATES) {
            const context = { kind, reason, siteState, subject: { type: row.subject } };
            const proof: EvidenceKind = siteState.state === 'closed' ? 'closure_proof' : 'migration_proof';
            const documented = [proof, ...row.documents];
            const where = `${kind} / ${row.subject} / ${reason} / ${siteState.state}`;
            expect(new Set(requiredEvidence(context)), where).toEqual(new Set(documented));
            expect(new Set(requiredEvidence(context, { requireSignedForm: true })), `${where}, signed form`).toEqual(
              new Set([...documented, 'application_form']),
            );
          }
        }
      }
    }
  });

  it('covers every kind, subject type and reason the kind rules accept, once', () => {
    // Act
    const listed = matrix.flatMap((row) => row.kinds.flatMap((kind) => row.reasons.map((reason) => `${kind}/${row.subject}/${reason}`)));
    const expected = CancellationKind.options.flatMap((kind) =>
      SubjectType.options.flatMap((subject) =>
        CancellationReason.options.filter((reason) => !refused(kind, subject, reason)).map((reason) => `${kind}/${subject}/${reason}`),
      ),
    );

    // Assess
    expect(listed.sort()).toEqual(expected.sort());
  });

  it('gives each document the file rules of EVIDENCE_RULES', () => {
    // Prepare
    const TYPES: Record<string, string> = { 'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG' };
    const mib = (bytes: number) => `${bytes / (1024 * 1024)} MiB`;

    // Act
    const rows = table(text, 'document');

    // Assess
    expect(rows.map((r) => codes(r[0] ?? '')[0])).toEqual(EvidenceKind.options);
    for (const [document = '', zh, types, size, resolution, colour] of rows) {
      const kind = codes(document)[0] as EvidenceKind;
      const rule = EVIDENCE_RULES[kind];
      expect([zh, types, size, resolution, colour], kind).toEqual([
        rule.title.zh,
        rule.contentTypes.map((t) => TYPES[t]).join(', '),
        `${mib(evidenceRule(kind).maxBytes)} (${mib(evidenceRule(kind, { sizeLimit: 'strict' }).maxBytes)})`,
        rule.minMegapixels === undefined ? '—' : `${rule.minMegapixels} MP`,
        rule.colourRequired ? 'required' : '—',
      ]);
    }
  });
});

describe('README: rejection reasons', () => {
  it('lists every catalogue code with its titles and fix hints', () => {
    // Act
    const rows = table(section('Rejection reasons'), 'code');

    // Assess
    expect(rows).toEqual(
      Object.values(REJECTION_REASONS).map((r) => [`\`${r.code}\``, `${r.title.en} (${r.title.zh})`, r.fixHint.en, r.fixHint.zh]),
    );
  });
});

describe('README: metrics', () => {
  it('lists every metric the functions publish, under the names the alarms read', () => {
    // Act
    const rows = table(section('Logs, metrics and traces'), 'metric');

    // Assess
    expect(rows.map(([name = '']) => codes(name)[0]).sort()).toEqual(Object.values(METRIC_NAMES).sort());
  });
});
