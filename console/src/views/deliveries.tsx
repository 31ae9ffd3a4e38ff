import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../api/client.ts';
import type { DeliveryView } from '../api/paths.ts';
import { useTexts } from '../i18n.ts';
import { href } from '../router.ts';
import { Loading, ProblemView, Section, StatusBadge, useAction, useLoad, When } from '../ui.tsx';

/** An endpoint's delivery log, newest first, a page at a time. */
export function EndpointDeliveries({ endpointId }: { endpointId: string }) {
  const { t } = useTexts();
  const [pages, setPages] = useState<{ items: DeliveryView[]; nextCursor?: string }>();
  const action = useAction();
  const load = (cursor?: string) =>
    action.run(async () => {
      const page = await ok(
        api.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpointId }, query: { limit: 50, ...(cursor ? { cursor } : {}) } } }),
      );
      setPages((before) => ({ items: [...(cursor ? (before?.items ?? []) : []), ...page.items], ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }));
    });
  useEffect(() => void load(), [endpointId]);
  return (
    <Section title={`${t('deliveries')} · ${endpointId}`} actions={<a href={href('webhooks')}>{t('back')}</a>}>
      {!pages && !action.error ? <p class="muted">{t('loading')}</p> : null}
      {pages?.items.length === 0 ? <p class="muted">{t('none')}</p> : null}
      {pages?.items.length ? (
        <table>
          <thead>
            <tr>
              <th>{t('delivery')}</th>
              <th>{t('event')}</th>
              <th>{t('status')}</th>
              <th>{t('attemptLog')}</th>
              <th>{t('redeliveries')}</th>
              <th>{t('updated')}</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((d) => (
              <tr data-delivery={d.id}>
                <td><a href={href('deliveries', d.id)}>{d.id}</a></td>
                <td>{d.eventType}</td>
                <td><StatusBadge status={d.status} /></td>
                <td>{d.attempts}</td>
                <td>{d.redeliveries}</td>
                <td><When at={d.updatedAt} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {pages?.nextCursor ? <button type="button" onClick={() => load(pages.nextCursor)} disabled={action.busy}>{t('loadMore')}</button> : null}
      <ProblemView error={action.error} />
    </Section>
  );
}

/** One delivery with every attempt (outcome, HTTP status, duration, error), and redelivery. */
export function DeliveryDetail({ id }: { id: string }) {
  const { t, label } = useTexts();
  const delivery = useLoad(() => ok(api.GET('/v1/webhook-deliveries/{id}', { params: { path: { id } } })), [id], {
    pollMs: 2000,
    poll: (d) => d.status === 'pending',
  });
  const action = useAction();
  const redeliver = () => action.run(async () => ok(api.POST('/v1/webhook-deliveries/{id}/redeliver', { params: { path: { id } } }))).then((done) => done && delivery.reload());
  const d = delivery.value;
  return (
    <Section title={`${t('delivery')} ${id}`} actions={d ? <a href={href('webhooks', d.endpointId)}>{t('back')}</a> : null}>
      <Loading loaded={delivery} />
      {d ? (
        <>
          <p>
            <StatusBadge status={d.status} /> {d.eventType} · {d.eventId} · {t('redeliveries')} {d.redeliveries}{' '}
            <button type="button" name="redeliver" onClick={redeliver} disabled={action.busy || d.status === 'pending'}>{t('redeliver')}</button>
          </p>
          <ProblemView error={action.error} />
          <table>
            <thead>
              <tr>
                <th>{t('attempt')}</th>
                <th>{t('at')}</th>
                <th>{t('outcome')}</th>
                <th>{t('httpStatus')}</th>
                <th>{t('duration')}</th>
                <th>{t('error')}</th>
              </tr>
            </thead>
            <tbody>
              {d.attemptLog.map((a) => (
                <tr data-attempt={a.attempt}>
                  <td>{a.attempt}</td>
                  <td><When at={a.at} /></td>
                  <td>{label(a.outcome)}</td>
                  <td>{a.status ?? '—'}</td>
                  <td>{a.durationMs} ms</td>
                  <td>{a.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </Section>
  );
}
