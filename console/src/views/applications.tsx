import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../api/client.ts';
import type { Application, ApplicationDetail } from '../api/paths.ts';
import { useTexts } from '../i18n.ts';
import { href } from '../router.ts';
import { ProblemView, Section, StatusBadge, useAction, When } from '../ui.tsx';
import { ApplicationStatus } from '../../../shared/domain/application.ts';
import { parseFilingNumber } from '../../../shared/domain/identifiers/filing-number.ts';

const PAGE = 200;
/** How long typing pauses before the search is sent. */
const SEARCH_PAUSE_MS = 300;

/** The API's filter a search box entry means: a filing number when it reads as one, else a customer reference. */
function searchQuery(search: string): { filingNumber?: string; customerRef?: string } {
  const text = search.trim();
  if (!text) return {};
  return parseFilingNumber(text, 'search').ok ? { filingNumber: text } : { customerRef: text };
}

/**
 * The agency's applications, newest first, filtered by status and searched by filing number or customer reference
 * (exact), both by the API (`GET /v1/applications?status=&filingNumber=&customerRef=`), so the whole list is searched.
 * A filtered page may be short (the API examines a bounded part of the list a call): "load more" goes on while the API
 * gives a cursor.
 */
export function Applications() {
  const { t, label } = useTexts();
  const [loaded, setLoaded] = useState<{ items: Application[]; nextCursor?: string }>();
  const [status, setStatus] = useState('');
  const [search, setSearch] = useState('');
  const [searched, setSearched] = useState('');
  const action = useAction();

  useEffect(() => {
    const timer = setTimeout(() => setSearched(search), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [search]);

  const load = (cursor?: string) =>
    action.run(async () => {
      const query = { limit: PAGE, ...(status ? { status } : {}), ...searchQuery(searched), ...(cursor ? { cursor } : {}) };
      const page = await ok(api.GET('/v1/applications', { params: { query } }));
      setLoaded((before) => ({ items: [...(cursor ? (before?.items ?? []) : []), ...page.items], ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }));
    });
  useEffect(() => void load(), [status, searched]);

  const shown = loaded?.items ?? [];
  const filtered = Boolean(status || searched.trim());
  return (
    <Section title={t('navApplications')} actions={<button type="button" class="link" onClick={() => load()}>{t('refresh')}</button>}>
      <div class="filters">
        <select name="status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="">{t('allStatuses')}</option>
          {ApplicationStatus.options.map((s) => <option value={s}>{label(s)}</option>)}
        </select>
        <input type="search" name="search" placeholder={t('search')} value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      </div>
      {loaded && filtered ? <p class="muted">{t(loaded.nextCursor ? 'filteredMore' : 'filteredAll', { shown: shown.length })}</p> : null}
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
