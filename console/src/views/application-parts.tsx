import { api, ok } from '../api/client.ts';
import type { Application, ApplicationDetail } from '../api/paths.ts';
import { useTexts } from '../i18n.ts';
import { href } from '../router.ts';
import { bytes, ProblemView, StatusBadge, useAction, When } from '../ui.tsx';
import { EVIDENCE_RULES, type EvidenceKind } from '../../../shared/domain/evidence-matrix.ts';

/** Today's date in China (the review deadlines are China dates), `YYYY-MM-DD`. */
export function chinaToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** Past its deadline: under review, and the last business day the authority had is over (China time). */
export function isOverdue(app: Pick<Application, 'status' | 'reviewDeadline'>, now = new Date()): boolean {
  return app.status === 'under_review' && app.reviewDeadline !== undefined && app.reviewDeadline.date < chinaToday(now);
}

/** An evidence kind's title in the catalogue (`EVIDENCE_RULES`), or the kind itself. */
export function evidenceTitle(kind: string, lang: 'zh' | 'en'): string {
  return EVIDENCE_RULES[kind as EvidenceKind]?.title[lang] ?? kind;
}

export function EvidenceTitle({ kind }: { kind: string }) {
  const { lang } = useTexts();
  return <span title={kind}>{evidenceTitle(kind, lang)}</span>;
}

export function Deadline({ app }: { app: Application }) {
  const { t } = useTexts();
  if (!app.reviewDeadline) return null;
  return (
    <span class="deadline">
      {app.reviewDeadline.date}
      {app.reviewDeadline.estimate ? <span class="muted"> ({t('estimate')})</span> : null}
      {isOverdue(app) ? <span class="badge overdue" data-overdue="true">{t('overdue')}</span> : null}
    </span>
  );
}

/** What the application says: the fields an operator compares with the evidence, and an agency checks. */
export function ApplicationData({ app, linkBatch = true }: { app: ApplicationDetail; linkBatch?: boolean }) {
  const { t, label } = useTexts();
  const site = app.siteState;
  return (
    <dl class="data">
      <dt>{t('status')}</dt>
      <dd><StatusBadge status={app.status} /> {app.submitWhenComplete ? '⏳' : null}</dd>
      <dt>{t('kind')}</dt>
      <dd>{label(app.kind)}</dd>
      <dt>{t('filingNumber')}</dt>
      <dd data-field="filingNumber">{app.filingNumber}</dd>
      <dt>{t('website')}</dt>
      <dd data-field="websiteName">{app.websiteName}</dd>
      <dt>{t('domains')}</dt>
      <dd data-field="domains">{app.domains.join(', ')}</dd>
      <dt>{t('subject')}</dt>
      <dd data-field="subject">
        {app.subject.name} · {app.subject.type} {app.subject.creditCode ?? app.subject.idNumber ?? ''}
      </dd>
      <dt>{t('reason')}</dt>
      <dd>{label(app.reason)}</dd>
      <dt>{t('siteState')}</dt>
      <dd>
        {label(site.state)} {site.state === 'migrated' ? `→ ${site.target}` : ''} · {site.since}
        {app.siteProbe ? <span class="muted"> · {app.siteProbe.detail}</span> : null}
      </dd>
      {app.customerRef ? (
        <>
          <dt>{t('customerRef')}</dt>
          <dd>{app.customerRef}</dd>
        </>
      ) : null}
      {app.batchId ? (
        <>
          <dt>{t('batch')}</dt>
          <dd>{linkBatch ? <a href={href('batches', app.batchId)}>{app.batchId}</a> : app.batchId}</dd>
        </>
      ) : null}
      <dt>{t('attempts')}</dt>
      <dd>{app.attempts}</dd>
      {app.reviewDeadline ? (
        <>
          <dt>{t('deadline')}</dt>
          <dd><Deadline app={app} /></dd>
        </>
      ) : null}
    </dl>
  );
}

export function EvidenceTable({ app }: { app: ApplicationDetail }) {
  const { t } = useTexts();
  return (
    <>
      {app.missingEvidence?.length ? (
        <p data-missing-evidence={app.missingEvidence.join(' ')}>
          {t('missingEvidence')}: {app.missingEvidence.map((k) => <span class="badge"><EvidenceTitle kind={k} /></span>)}
        </p>
      ) : null}
      {app.evidence?.length ? (
        <table class="evidence">
          <thead>
            <tr>
              <th>{t('uploadKind')}</th>
              <th>{t('status')}</th>
              <th>{t('size')}</th>
              <th>{t('sha256')}</th>
              <th>{t('created')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {app.evidence.map((e) => (
              <tr data-evidence={e.evidenceId} data-status={e.status}>
                <td>
                  <EvidenceTitle kind={e.kind} /> {e.shared ? <span class="muted">({t('shared')})</span> : null}
                </td>
                <td>
                  <StatusBadge status={e.status} />
                  {e.rejectionReason ? <div class="problem-text"><code class="rule">{e.rejectionCode}</code> {e.rejectionReason}</div> : null}
                </td>
                <td>{e.contentType} · {bytes(e.contentLength)}</td>
                <td><code class="hash">{e.sha256 ?? '—'}</code></td>
                <td><When at={e.createdAt} /></td>
                <td>{e.status === 'pending_upload' ? null : <ViewLink applicationId={app.id} evidenceId={e.evidenceId} rejected={e.status === 'rejected'} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

/**
 * "View": asks the API for a link to the file at each click and opens it in a new tab. The presigned URL works for
 * minutes only, so none is put in the page ahead of time; the tab gets neither this page (`noopener`) nor its address
 * (`noreferrer`). A rejected file downloads instead (the API serves it as an attachment: its type is unverified).
 */
function ViewLink({ applicationId, evidenceId, rejected }: { applicationId: string; evidenceId: string; rejected: boolean }) {
  const { t } = useTexts();
  const action = useAction();
  const open = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const file = await ok(api.GET('/v1/applications/{id}/evidence/{evidenceId}', { params: { path: { id: applicationId, evidenceId } } }));
      // A link of our own, clicked within the click's user activation, so that no pop-up blocker stops the tab.
      const link = document.createElement('a');
      link.href = file.download.url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.click();
    });
  };
  return (
    <>
      <a href="#" class="view-evidence" data-view-evidence={evidenceId} rel="noopener noreferrer" target="_blank" aria-busy={action.busy} onClick={open}>
        {rejected ? t('downloadEvidence') : t('viewEvidence')}
      </a>
      <ProblemView error={action.error} />
    </>
  );
}

export function RejectionReasons({ app }: { app: ApplicationDetail }) {
  const { t, lang } = useTexts();
  if (!app.rejectionReasons.length) return null;
  return (
    <div class="reasons" role="note">
      <h3>{t('rejectionReasons')}</h3>
      <ul>
        {app.rejectionReasons.map((r) => (
          <li data-reason={r.code}>
            <strong>{r.title[lang]}</strong> <code class="rule">{r.code}</code>
            <p>{r.message}</p>
            <p class="hint">
              {t('hint')}: {r.fixHint[lang]}
            </p>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Warnings({ app }: { app: ApplicationDetail }) {
  const { t } = useTexts();
  if (!app.warnings.length) return null;
  return (
    <div class="warnings">
      <h3>{t('warnings')}</h3>
      <ul>
        {app.warnings.map((w) => (
          <li>
            <code class="rule">{w.code}</code> {w.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Timeline({ app }: { app: ApplicationDetail }) {
  const { t } = useTexts();
  return (
    <ol class="timeline">
      {(app.timeline ?? []).map((entry) => (
        <li data-sequence={entry.sequence} data-status={entry.status}>
          <StatusBadge status={entry.status} /> <When at={entry.at} /> <span class="muted">{entry.detail}</span>
        </li>
      ))}
      {app.timeline?.length ? null : <li class="muted">{t('none')}</li>}
    </ol>
  );
}
