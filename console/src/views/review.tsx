import { useState } from 'preact/hooks';
import { api, ok } from '../api/client.ts';
import type { Application, ApplicationDetail } from '../api/paths.ts';
import { useTexts } from '../i18n.ts';
import { go, href } from '../router.ts';
import { Loading, ProblemView, Section, useAction, useLoad, When } from '../ui.tsx';
import { ApplicationData, EvidenceTable, RejectionReasons, Timeline } from './application-parts.tsx';
import { REJECTION_REASONS, type RejectionReasonCode } from '../../../shared/domain/rejection-reasons.ts';

/** An application under review: its data beside its evidence, the decision, and the authority's SMS notice. */
export function Review({ id }: { id: string }) {
  const { t } = useTexts();
  const app = useLoad(() => ok(api.GET('/v1/applications/{id}', { params: { path: { id } } })), [id]);
  const a = app.value;
  return (
    <>
      <Section title={`${t('application')} ${a?.filingNumber ?? id}`} actions={<a href={href('reviews')}>{t('back')}</a>}>
        <Loading loaded={app} />
        {a ? (
          <div class="columns side-by-side" data-application={a.id} data-status={a.status}>
            <div>
              <h3>{t('data')}</h3>
              {/* The operator's console has no batch pages: the batch is named, not linked. */}
              <ApplicationData app={a} linkBatch={false} />
            </div>
            <div>
              <h3>{t('evidence')}</h3>
              <EvidenceTable app={a} />
              <RejectionReasons app={a} />
            </div>
          </div>
        ) : null}
      </Section>
      {a?.status === 'under_review' ? (
        <>
          <DecisionForm app={a} />
          <SmsNotice app={a} onDone={app.reload} />
        </>
      ) : null}
      {a ? (
        <Section title={t('timeline')}>
          <Timeline app={a} />
        </Section>
      ) : null}
    </>
  );
}

interface ReasonDraft {
  code: RejectionReasonCode;
  message: string;
}

function DecisionForm({ app }: { app: ApplicationDetail }) {
  const { t, lang } = useTexts();
  const action = useAction();
  const [reasons, setReasons] = useState<ReasonDraft[]>([{ code: 'DOCUMENT_UNCLEAR', message: '' }]);
  const decide = (outcome: 'approved' | 'rejected') =>
    action
      .run(async () =>
        ok(
          api.POST('/v1/reviews/{id}/decision', {
            params: { path: { id: app.id } },
            body: outcome === 'approved' ? { outcome } : { outcome, reasons: reasons.map((r) => ({ code: r.code, message: r.message.trim() || REJECTION_REASONS[r.code].title[lang] })) },
          }),
        ),
      )
      .then((done) => done && go('reviews'));
  const change = (i: number, patch: Partial<ReasonDraft>) => setReasons(reasons.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Section title={t('decide')}>
      <div class="decision">
        <button type="button" name="approve" onClick={() => decide('approved')} disabled={action.busy}>{t('approve')}</button>
        <fieldset>
          <legend>{t('reject')}</legend>
          {reasons.map((r, i) => (
            <div class="reason-row">
              <select name={`reason-${i}`} value={r.code} onChange={(e) => change(i, { code: e.currentTarget.value as RejectionReasonCode })}>
                {Object.values(REJECTION_REASONS).map((reason) => (
                  <option value={reason.code}>
                    {reason.code} · {reason.title[lang]}
                  </option>
                ))}
              </select>
              <input name={`message-${i}`} placeholder={t('reasonMessage')} value={r.message} onInput={(e) => change(i, { message: e.currentTarget.value })} />
              <p class="hint muted">{REJECTION_REASONS[r.code].fixHint[lang]}</p>
            </div>
          ))}
          <button type="button" class="link" onClick={() => setReasons([...reasons, { code: 'OTHER', message: '' }])}>{t('addReason')}</button>{' '}
          <button type="button" name="reject" class="danger" onClick={() => decide('rejected')} disabled={action.busy}>{t('reject')}</button>
        </fieldset>
        <ProblemView error={action.error} />
      </div>
    </Section>
  );
}

/** 12381 has texted the code to the person who must confirm (subject and website cancellations only). */
function SmsNotice({ app, onDone }: { app: ApplicationDetail; onDone: () => void }) {
  const { t, label } = useTexts();
  const action = useAction();
  if (app.kind === 'cancel_access' || app.kind === 'cancel_licence') return null;
  const record = () => action.run(async () => ok(api.POST('/v1/reviews/{id}/verification', { params: { path: { id: app.id } }, body: {} }))).then((done) => done && onDone());
  const sms = app.smsVerification;
  return (
    <Section title={t('smsNotice')}>
      {sms ? (
        <p data-sms-sent={sms.sentAt}>
          {t('smsSent', { by: label(sms.by) })} <When at={sms.sentAt} /> → <When at={sms.expiresAt} />
        </p>
      ) : (
        <button type="button" name="sms" onClick={record} disabled={action.busy}>{t('smsNotice')}</button>
      )}
      <ProblemView error={action.error} />
    </Section>
  );
}
