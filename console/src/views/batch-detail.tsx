import { parse } from 'csv-parse/browser/esm/sync';
import { useState } from 'preact/hooks';
import { api, ok } from '../api/client.ts';
import type { BatchView } from '../api/paths.ts';
import { useTexts } from '../i18n.ts';
import { href } from '../router.ts';
import { Loading, ProblemView, ProgressBar, Section, StatusBadge, useAction, useLoad, When } from '../ui.tsx';
import { batchUnderWay, StatusCounts } from './batches.tsx';

/** One line of the per-row report (`REPORT_COLUMNS`); several problems of a row are joined by ` | `. */
interface ReportRow {
  row: string;
  filingNumber: string;
  outcome: 'created' | 'refused';
  applicationId: string;
  status: string;
  errorPath: string;
  errorCode: string;
  errorMessage: string;
  warnings: string;
}

/** A batch: live progress, its applications per status, releasing held drafts, and the per-row report. */
export function BatchDetail({ id, onlyRefused }: { id: string; onlyRefused: boolean }) {
  const { t } = useTexts();
  const batch = useLoad(() => ok(api.GET('/v1/batches/{id}', { params: { path: { id } } })), [id], { pollMs: 1000, poll: batchUnderWay });
  const b = batch.value;
  return (
    <>
      <Section title={`${t('batch')} ${id}`} actions={<a href={href('batches')}>{t('back')}</a>}>
        <Loading loaded={batch} />
        {b ? (
          <div class="batch-summary" data-status={b.status}>
            <p>
              <StatusBadge status={b.status} /> {b.hold ? <span class="muted">{t('held')}</span> : null} · {t('created')} <When at={b.createdAt} />
            </p>
            <ProgressBar value={b.progress} label={t('progress')} />
            <p>
              {t('rows')} {b.rows.total ?? '…'} · {t('accepted')} <b data-rows="accepted">{b.rows.accepted}</b> · {t('refused')}{' '}
              <b data-rows="rejected">{b.rows.rejected}</b>
            </p>
            <StatusCounts counts={b.counts} />
            {b.error ? (
              <p class="problem" role="alert">
                {t('batchError')}: <code>{b.error.code}</code> {b.error.message}
              </p>
            ) : null}
            {b.hold && b.status === 'ingested' && (b.counts.draft ?? 0) > 0 ? <Release batch={b} onDone={batch.reload} /> : null}
          </div>
        ) : null}
      </Section>
      {b?.reportAvailable ? <Report id={id} onlyRefused={onlyRefused} rows={b.rows.processed} /> : b ? <p class="muted">{t('reportNotYet')}</p> : null}
    </>
  );
}

/** Releases a held batch's drafts, a page of 200 at a time, as `icp-cancel batch release` does. */
function Release({ batch, onDone }: { batch: BatchView; onDone: () => void }) {
  const { t } = useTexts();
  const action = useAction();
  const [result, setResult] = useState<string>();
  const release = () =>
    action.run(async () => {
      let cursor: string | undefined;
      let submitted = 0;
      let waiting = 0;
      do {
        const page = await ok(api.POST('/v1/batches/{id}/submit', { params: { path: { id: batch.id } }, body: cursor ? { cursor } : {} }));
        submitted += page.submitted;
        waiting += page.waiting;
        cursor = page.nextCursor;
      } while (cursor);
      setResult(t('released', { submitted, waiting }));
      onDone();
    });
  return (
    <div>
      <button type="button" onClick={release} disabled={action.busy}>{t('release')}</button> {result}
      <ProblemView error={action.error} />
    </div>
  );
}

/** The per-row report: every row's outcome; a refused row's field, rule and message (what to fix). */
function Report({ id, onlyRefused, rows }: { id: string; onlyRefused: boolean; rows: number }) {
  const { t, label } = useTexts();
  const report = useLoad(async () => {
    const link = await ok(api.GET('/v1/batches/{id}/report', { params: { path: { id } } }));
    const response = await fetch(link.url);
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    const rows = parse(await response.text(), { bom: true, columns: true, skip_empty_lines: true }) as ReportRow[];
    return { url: link.url, rows };
    // `rows` (the processed count) reloads a report written again with more rows.
  }, [id, rows]);
  const shown = report.value?.rows.filter((r) => !onlyRefused || r.outcome === 'refused') ?? [];
  return (
    <Section
      title={t('report')}
      actions={
        <span>
          <label class="inline">
            <input
              type="checkbox"
              name="onlyRefused"
              checked={onlyRefused}
              onChange={(e) => (location.hash = e.currentTarget.checked ? href('batches', id, 'refused') : href('batches', id))}
            />
            {t('onlyRefused')}
          </label>
          {report.value ? <a href={report.value.url} download>{t('downloadReport')}</a> : null}
        </span>
      }
    >
      <Loading loaded={report} />
      {report.value ? (
        <table class="report">
          <thead>
            <tr>
              <th>{t('row')}</th>
              <th>{t('filingNumber')}</th>
              <th>{t('outcome')}</th>
              <th>{t('field')}</th>
              <th>{t('problem')}</th>
              <th>{t('hint')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr data-row={r.row} data-outcome={r.outcome}>
                <td>{r.row}</td>
                <td>{r.filingNumber}</td>
                <td>
                  {r.outcome === 'created' ? (
                    <a href={href('applications', r.applicationId)}>{label(r.status)}</a>
                  ) : (
                    <span class="badge status-rejected">{label('refused')}</span>
                  )}
                </td>
                <td>{split(r.errorPath).map((p) => <code class="line">{p}</code>)}</td>
                <td>{split(r.errorCode).map((c) => <code class="line rule">{c}</code>)}</td>
                <td>{split(r.errorMessage).map((m) => <span class="line">{m}</span>)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}

const split = (joined: string) => (joined ? joined.split(' | ') : []);
