import { api, ok } from '../api/client.ts';
import type { BatchView } from '../api/paths.ts';
import { useTexts } from '../i18n.ts';
import { href } from '../router.ts';
import { Loading, ProgressBar, Section, StatusBadge, useLoad, When } from '../ui.tsx';

/** A batch is still moving until it completes or fails: its view is polled meanwhile. */
export const batchUnderWay = (batch: BatchView) => batch.status !== 'completed' && batch.status !== 'failed';

/** The agency's batches, newest first, each with its live progress and its applications per status. */
export function Batches() {
  const { t } = useTexts();
  // Every 5 s while one is under way (a held batch waits for its release): each read sums every listed batch's counters.
  const batches = useLoad(() => ok(api.GET('/v1/batches', { params: { query: { limit: 50 } } })), [], {
    pollMs: 5000,
    poll: (page) => page.items.some(batchUnderWay),
  });
  return (
    <Section title={t('navBatches')} actions={<a class="button" href={href('batches', 'new')}>{t('newBatch')}</a>}>
      <Loading loaded={batches} />
      {batches.value?.items.length === 0 ? <p class="muted">{t('none')}</p> : null}
      {batches.value?.items.length ? (
        <table>
          <thead>
            <tr>
              <th>{t('batch')}</th>
              <th>{t('status')}</th>
              <th>{t('rows')}</th>
              <th>{t('progress')}</th>
              <th>{t('created')}</th>
            </tr>
          </thead>
          <tbody>
            {batches.value.items.map((batch) => (
              <tr data-batch={batch.id}>
                <td>
                  <a href={href('batches', batch.id)}>{batch.id}</a>
                  {batch.hold ? <span class="muted"> · {t('held')}</span> : null}
                </td>
                <td><StatusBadge status={batch.status} /></td>
                <td>
                  {batch.rows.processed}/{batch.rows.total ?? '…'} · {t('refused')} {batch.rows.rejected}
                </td>
                <td>
                  <ProgressBar value={batch.progress} />
                  <StatusCounts counts={batch.counts} />
                </td>
                <td><When at={batch.createdAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}

/** Applications per status, the non-zero ones. */
export function StatusCounts({ counts }: { counts: Record<string, number> }) {
  const { label } = useTexts();
  const shown = Object.entries(counts).filter(([, n]) => n > 0);
  return (
    <ul class="counts">
      {shown.map(([status, n]) => (
        <li class={`status-${status}`} data-status={status}>
          {label(status)} <b>{n}</b>
        </li>
      ))}
    </ul>
  );
}
