import type { Application, ApplicationDetail, SharedEvidence } from './api-types.ts';

/** The language of the catalogue's texts (rejection titles and fix hints): `--lang`, else `zh` when $LANG is Chinese. */
export type Lang = 'zh' | 'en';

export function langOf(flag: string | undefined, env: Record<string, string | undefined>): Lang {
  if (flag === 'zh' || flag === 'en') return flag;
  return /^zh/i.test(env.LC_ALL || env.LANG || '') ? 'zh' : 'en';
}

/** One line of a list: `app_…  under_review  京ICP备10046444号-9  示例网站  order-42`. */
export function applicationLine(app: Application): string {
  return [app.id, app.status, app.filingNumber, app.websiteName, app.customerRef ?? ''].join('  ').trimEnd();
}

/** What an action left the application in: `app_…: submitted (attempt 1)`. */
export function statusLine(app: Application): string {
  return `${app.id}: ${app.status}${attemptOf(app)}`;
}

/** ` (attempt 2)`: which submission, once there is one. */
function attemptOf(app: Application): string {
  return app.status === 'draft' ? '' : ` (attempt ${app.attempts})`;
}

/**
 * An application in full for a person: its data, evidence, what is missing, rejection reasons with the catalogue's
 * fix hint, warnings, the authority's SMS and the timeline.
 */
export function renderApplication(app: ApplicationDetail, lang: Lang): string {
  const site = app.siteState.state === 'migrated' ? `migrated to ${app.siteState.target} since ${app.siteState.since}` : `closed since ${app.siteState.since}`;
  const subject = [app.subject.type, app.subject.creditCode, app.subject.idNumber].filter(Boolean).join(', ');
  const rows: [string, string | undefined][] = [
    ['kind', `${app.kind} · ${app.reason}`],
    ['filing', `${app.filingNumber} · ${app.websiteName} · ${app.domains.join(', ')}`],
    ['subject', `${app.subject.name} (${subject})`],
    ['site', site],
    ['customer ref', app.customerRef],
    ['batch', app.batchId],
    ['deadline', app.reviewDeadline ? `${app.reviewDeadline.date}${app.reviewDeadline.estimate ? ' (estimate)' : ''}` : undefined],
    ['required', app.requiredEvidence.join(', ') || 'none'],
    ['missing', app.missingEvidence.length > 0 ? `${app.missingEvidence.join(', ')}${app.submitWhenComplete ? ' (submitted once accepted)' : ''}` : undefined],
    ...app.evidence.map((e): [string, string] => ['evidence', `${checkLine(e)}${e.shared ? '  (shared)' : ''}`]),
    ...app.rejectionReasons.map((r): [string, string] => ['rejected for', `${r.code} ${r.title[lang]}: ${r.message} — ${r.fixHint[lang]}`]),
    ...app.warnings.map((w): [string, string] => ['warning', `${w.code}: ${w.message}`]),
    [
      'sms',
      app.smsVerification
        ? `code texted to the ${app.smsVerification.by.replace('_', ' ')} at ${app.smsVerification.sentAt}, to enter by ${app.smsVerification.expiresAt}`
        : undefined,
    ],
  ];
  const header = `${app.id}  ${app.status}${attemptOf(app)}`;
  const body = rows.filter((row): row is [string, string] => row[1] !== undefined).map(([label, value]) => `  ${label.padEnd(14)}${value}`);
  const timeline = app.timeline.map((t) => `  ${String(t.sequence).padStart(3)}  ${t.at}  ${t.status.padEnd(14)}${t.detail}`);
  return [header, ...body, 'timeline', ...timeline].join('\n');
}

/** What the check of a file says, for an application's evidence and a shared file alike. */
export type Check = Pick<SharedEvidence, 'evidenceId' | 'kind' | 'status' | 'sha256' | 'rejectionReason'> & { rejectionCode?: string };

/** `ev_…  closure_proof  accepted  application/pdf 1,234 bytes  sha256 …` (or the reason it was refused). */
export function checkLine(evidence: Check & { contentType?: string; contentLength?: number }): string {
  const size = evidence.contentLength === undefined ? '' : `  ${evidence.contentType} ${evidence.contentLength.toLocaleString('en-US')} bytes`;
  const outcome = evidence.status === 'rejected' ? `  ${evidence.rejectionReason ?? ''}${evidence.rejectionCode ? ` (${evidence.rejectionCode})` : ''}` : '';
  return `${evidence.evidenceId}  ${evidence.kind}  ${evidence.status}${size}${evidence.sha256 ? `  sha256 ${evidence.sha256}` : ''}${outcome}`;
}

