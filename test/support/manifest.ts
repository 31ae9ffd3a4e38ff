import { csvField, MANIFEST_COLUMNS } from '../../shared/domain/batch-manifest.ts';
import type { applicationBody } from './fixtures.ts';

/** One manifest row per application body, in the manifest's columns. */
export function manifestRow(body: ReturnType<typeof applicationBody>, extra: Record<string, string> = {}): Record<string, string> {
  const subject = body.subject as { name: string; type: string; creditCode?: string };
  const site = body.siteState as { state: string; since: string };
  return {
    kind: String(body.kind),
    filingNumber: String(body.filingNumber),
    websiteName: String(body.websiteName),
    domains: (body.domains as string[]).join(';'),
    subjectName: subject.name,
    subjectType: subject.type,
    creditCode: subject.creditCode ?? '',
    reason: String(body.reason),
    siteState: site.state,
    siteSince: site.since,
    customerRef: String(body.customerRef ?? ''),
    ...extra,
  };
}

/** A manifest as Excel's "CSV UTF-8" writes it: a BOM, CRLF, quotes where needed. */
export function manifest(rows: Record<string, string>[]): string {
  const line = (cells: string[]) => cells.map((c) => csvField(c)).join(',');
  return `\uFEFF${[line([...MANIFEST_COLUMNS]), ...rows.map((r) => line(MANIFEST_COLUMNS.map((c) => r[c] ?? '')))].join('\r\n')}\r\n`;
}
