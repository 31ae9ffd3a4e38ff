import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../api/client.ts';
import type { Application, ApplicationDetail } from '../api/paths.ts';
import { useTexts } from '../i18n.ts';
import { href } from '../router.ts';
import { ProblemView, Section, StatusBadge, useAction, When } from '../ui.tsx';
import { ApplicationStatus } from '../../../shared/domain/application.ts';

const PAGE = 200;

/**
 * The agency's applications, newest first, filtered by status and searched by filing number or customer reference.
 * The API lists a tenant's applications a page at a time without filters, so the console filters the pages it has
 * loaded and says so; "load more" reads the next page.
 */
export function Applications() {
  const { t, label } = useTexts();
  const [loaded, setLoaded] = useState<{ items: Application[]; nextCursor?: string }>();
  const [status, setStatus] = useState('');
  const [search, setSearch] = useState('');
  const action = useAction();

  const load = (cursor?: string) =>
    action.run(async () => {
      const page = await ok(api.GET('/v1/applications', { params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } } }));
      setLoaded((before) => ({ items: [...(cursor ? (before?.items ?? []) : []), ...page.items], ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }));
    });
  useEffect(() => void load(), []);

  const needle = search.trim().toLowerCase();
  const shown = (loaded?.items ?? []).filter(
    (a) =>
      (!status || a.status === status) &&
      (!needle || a.filingNumber.toLowerCase().includes(needle) || (a.customerRef ?? '').toLowerCase().includes(needle)),
  );
  return (
    <Section title={t('navApplications')} actions={<button type="button" class="link" onClick={() => load()}>{t('refresh')}</button>}>
      <div class="filters">
        <select name="status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="">{t('allStatuses')}</option>
          {ApplicationStatus.options.map((s) => <option value={s}>{label(s)}</option>)}
        </select>
        <input type="search" name="search" placeholder={t('search')} value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      </div>
      {loaded ? <p class="muted">{t('filteredAmong', { shown: shown.length, loaded: loaded.items.length })}</p> : null}
      {!loaded && !action.error ? <p class="muted">{t('loading')}</p> : null}
      {shown.length ? (
        <table>
          <thead>
            <tr>
              <th>{t('filingNumber')}</th>
              <th>{t('website')}</th>
              <th>{t('customerRef')}</th>
              <th>{t('status')}</th>
              <th>{t('updated')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((a) => (
              <tr data-application={a.id}>
                <td><a href={href('applications', a.id)}>{a.filingNumber}</a></td>
                <td>{a.websiteName}</td>
                <td>{a.customerRef}</td>
                <td><StatusBadge status={a.status} /></td>
                <td><When at={a.updatedAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {loaded?.nextCursor ? <button type="button" onClick={() => load(loaded.nextCursor)} disabled={action.busy}>{t('loadMore')}</button> : null}
      <ProblemView error={action.error} />
    </Section>
  );
}
