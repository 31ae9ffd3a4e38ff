import { api, ok } from '../api/client.ts';
import type { Application, ApplicationDetail } from '../api/paths.ts';
import { useTexts } from '../i18n.ts';
import { href } from '../router.ts';
import { Loading, Section, useLoad, When } from '../ui.tsx';
import { Deadline } from './application-parts.tsx';

/**
 * Calls read for the queue at most: each examines up to 1,000 applications of the list (the API's bound), so this
 * reaches 50,000 back, past which the oldest reviews would be long overdue anyway.
 */
const MAX_PAGES = 50;

/**
 * Applications under review (the only status an operator decides or records a verification on; a `submitted` one is
 * not the authority's yet), oldest first (the longest waiting on top), with the business-day deadline and the overdue
 * flag. Asked of the API as `status=under_review&order=oldest`, following its cursors; refreshed every 5 s.
 */
export function ReviewQueue() {
  const { t } = useTexts();
  const queue = useLoad(
    async () => {
      const waiting: Application[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const query = { status: 'under_review', order: 'oldest' as const, limit: 200, ...(cursor ? { cursor } : {}) };
        const answer = await ok(api.GET('/v1/applications', { params: { query } }));
        waiting.push(...answer.items);
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
