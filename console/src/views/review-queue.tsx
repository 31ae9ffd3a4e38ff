import { api, ok } from '../api/client.ts';
import type { Application, ApplicationDetail } from '../api/paths.ts';
import { useTexts } from '../i18n.ts';
import { href } from '../router.ts';
import { Loading, Section, useLoad, When } from '../ui.tsx';
import { Deadline } from './application-parts.tsx';

/** Pages read for the queue at most (200 applications each); the API has no list by status, so the console filters. */
const MAX_PAGES = 10;

/**
 * Applications under review, oldest first (the longest waiting on top), with the business-day deadline and the
 * overdue flag. Read from the tenant's newest applications (up to `MAX_PAGES` pages), refreshed every 5 s.
 */
export function ReviewQueue() {
  const { t } = useTexts();
  const queue = useLoad(
    async () => {
      const waiting: Application[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const answer = await ok(api.GET('/v1/applications', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }));
        waiting.push(...answer.items.filter((a) => a.status === 'under_review'));
        cursor = answer.nextCursor;
        if (!cursor) break;
      }
      return waiting.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    },
    [],
    { pollMs: 5000, poll: () => true },
  );
  return (
    <Section title={t('navReviews')}>
      <p class="muted">{t('queueHelp')}</p>
      <Loading loaded={queue} />
      {queue.value?.length === 0 ? <p class="muted">{t('none')}</p> : null}
      {queue.value?.length ? (
        <table>
          <thead>
            <tr>
              <th>{t('filingNumber')}</th>
              <th>{t('website')}</th>
              <th>{t('subject')}</th>
              <th>{t('attempts')}</th>
              <th>{t('updated')}</th>
              <th>{t('deadline')}</th>
            </tr>
          </thead>
          <tbody>
            {queue.value.map((a) => (
              <tr data-application={a.id}>
                <td><a href={href('reviews', a.id)}>{a.filingNumber}</a></td>
                <td>{a.websiteName}</td>
                <td>{a.subject.name}</td>
                <td>{a.attempts}</td>
                <td><When at={a.updatedAt} /></td>
                <td><Deadline app={a} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}
