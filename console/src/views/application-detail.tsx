import { useState } from 'preact/hooks';
import { api, ok } from '../api/client.ts';
import type { Application, ApplicationDetail } from '../api/paths.ts';
import { useTexts } from '../i18n.ts';
import { href } from '../router.ts';
import { Loading, ProblemView, Section, useAction, useLoad } from '../ui.tsx';
import { ApplicationData, EvidenceTable, evidenceTitle, RejectionReasons, Timeline, Warnings } from './application-parts.tsx';
import { EVIDENCE_RULES, type EvidenceContentType, type EvidenceKind } from '../../../shared/domain/evidence-matrix.ts';

/** Statuses in which something is still to happen without the agency: the view is polled meanwhile. */
const MOVING = new Set(['submitted', 'under_review']);

/** One application: its data, evidence, rejection reasons with hints, timeline, and the actions its status allows. */
export function ApplicationDetail({ id }: { id: string }) {
  const { t } = useTexts();
  const app = useLoad(() => ok(api.GET('/v1/applications/{id}', { params: { path: { id } } })), [id], {
    pollMs: 1500,
    poll: (a) => MOVING.has(a.status) || (a.evidence ?? []).some((e) => e.status === 'pending_upload'),
  });
  const a = app.value;
  return (
    <>
      <Section title={`${t('application')} ${a?.filingNumber ?? id}`} actions={<a href={href('applications')}>{t('back')}</a>}>
        <Loading loaded={app} />
        {a ? (
          <div class="columns" data-application={a.id} data-status={a.status}>
            <div>
              <ApplicationData app={a} />
              <Warnings app={a} />
            </div>
            <div>
              <RejectionReasons app={a} />
              <Actions app={a} onChange={app.reload} />
            </div>
          </div>
        ) : null}
      </Section>
      {a ? (
        <>
          <Section title={t('evidence')}>
            <EvidenceTable app={a} />
            {a.status === 'draft' || a.status === 'rejected' ? <EvidenceUpload app={a} onUploaded={app.reload} /> : null}
          </Section>
          <Section title={t('timeline')}>
            <Timeline app={a} />
          </Section>
        </>
      ) : null}
    </>
  );
}

/** Submit (a draft), resubmit with corrections (rejected), withdraw (before the authority has the order). */
function Actions({ app, onChange }: { app: ApplicationDetail; onChange: () => void }) {
  const { t } = useTexts();
  const action = useAction();
  const path = { params: { path: { id: app.id } } };
  const submit = () => action.run(async () => ok(api.POST('/v1/applications/{id}/submit', path))).then((done) => done && onChange());
  const withdraw = () => {
    if (!confirm(t('withdrawConfirm'))) return;
    void action.run(async () => ok(api.POST('/v1/applications/{id}/withdraw', path))).then((done) => done && onChange());
  };
  const canWithdraw = app.status === 'draft' || app.status === 'submitted' || app.status === 'rejected';
  return (
    <div class="actions">
      {app.status === 'draft' ? <button type="button" name="submit" onClick={submit} disabled={action.busy}>{t('submit')}</button> : null}
      {app.status === 'rejected' ? <Resubmit app={app} onDone={onChange} /> : null}
      {canWithdraw ? <button type="button" name="withdraw" class="danger" onClick={withdraw} disabled={action.busy}>{t('withdraw')}</button> : null}
      <ProblemView error={action.error} />
    </div>
  );
}

/** Corrections to the fields a rejection may concern; only the fields changed are sent. */
function Resubmit({ app, onDone }: { app: ApplicationDetail; onDone: () => void }) {
  const { t } = useTexts();
  const action = useAction();
  const [fields, setFields] = useState({
    websiteName: app.websiteName,
    domains: app.domains.join(', '),
    subjectName: app.subject.name,
    creditCode: app.subject.creditCode ?? '',
    idNumber: app.subject.idNumber ?? '',
    customerRef: app.customerRef ?? '',
  });
  const set = (name: keyof typeof fields) => (e: { currentTarget: HTMLInputElement }) => setFields({ ...fields, [name]: e.currentTarget.value });

  const resubmit = (event: Event) => {
    event.preventDefault();
    const body: Record<string, unknown> = {};
    if (fields.websiteName.trim() !== app.websiteName) body.websiteName = fields.websiteName.trim();
    const domains = fields.domains.split(/[\s,;，；、]+/).filter(Boolean);
    if (domains.join(',') !== app.domains.join(',')) body.domains = domains;
    const subject = { ...app.subject, name: fields.subjectName.trim() };
    if (fields.creditCode.trim()) subject.creditCode = fields.creditCode.trim();
    if (fields.idNumber.trim()) subject.idNumber = fields.idNumber.trim();
    if (JSON.stringify(subject) !== JSON.stringify(app.subject)) body.subject = subject;
    if (fields.customerRef.trim() && fields.customerRef.trim() !== app.customerRef) body.customerRef = fields.customerRef.trim();
    void action.run(async () => ok(api.POST('/v1/applications/{id}/resubmit', { params: { path: { id: app.id } }, body }))).then((done) => done && onDone());
  };
  return (
    <form class="resubmit" onSubmit={resubmit}>
      <h3>{t('resubmit')}</h3>
      <p class="muted">{t('correctionsHelp')}</p>
      <label>{t('website')}<input name="websiteName" value={fields.websiteName} onInput={set('websiteName')} /></label>
      <label>{t('domains')}<input name="domains" value={fields.domains} onInput={set('domains')} /></label>
      <label>{t('subject')}<input name="subjectName" value={fields.subjectName} onInput={set('subjectName')} /></label>
      {app.subject.type === 'enterprise' ? (
        <label>creditCode<input name="creditCode" value={fields.creditCode} onInput={set('creditCode')} /></label>
      ) : (
        <label>idNumber<input name="idNumber" value={fields.idNumber} onInput={set('idNumber')} /></label>
      )}
      <label>{t('customerRef')}<input name="customerRef" value={fields.customerRef} onInput={set('customerRef')} /></label>
      <button type="submit" name="resubmit" disabled={action.busy}>{t('resubmit')}</button>
      <ProblemView error={action.error} />
    </form>
  );
}

/** A file for one of the required documents: declared (type, size), then PUT straight to S3 with the presigned URL. */
function EvidenceUpload({ app, onUploaded }: { app: ApplicationDetail; onUploaded: () => void }) {
  const { t, lang } = useTexts();
  const kinds = app.requiredEvidence as EvidenceKind[];
  const [kind, setKind] = useState<EvidenceKind | undefined>((app.missingEvidence?.[0] as EvidenceKind | undefined) ?? kinds[0]);
  const [file, setFile] = useState<File>();
  const action = useAction();
  if (!kind) return null;

  const upload = (event: Event) => {
    event.preventDefault();
    if (!file) return;
    void action
      .run(async () => {
        const declared = await ok(
          api.POST('/v1/applications/{id}/evidence', {
            params: { path: { id: app.id } },
            body: { kind, contentType: file.type as EvidenceContentType, contentLength: file.size },
          }),
        );
        const put = await fetch(declared.uploadUrl, { method: declared.method, headers: declared.headers, body: file });
        if (!put.ok) throw new Error(`The upload was refused: ${put.status}`);
      })
      .then((done) => done && onUploaded());
  };
  return (
    <form class="upload" onSubmit={upload}>
      <h3>{t('upload')}</h3>
      <label>
        {t('uploadKind')}
        <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as EvidenceKind)}>
          {kinds.map((k) => (
            <option value={k}>{evidenceTitle(k, lang)}</option>
          ))}
        </select>
      </label>
      <input type="file" name="evidence" accept={EVIDENCE_RULES[kind].contentTypes.join(',')} onChange={(e) => setFile(e.currentTarget.files?.[0])} required />
      <button type="submit" name="upload" disabled={action.busy || !file}>{t('upload')}</button>
      <ProblemView error={action.error} />
    </form>
  );
}
