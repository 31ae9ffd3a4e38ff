import { useState } from 'preact/hooks';
import { api, ok } from '../api/client.ts';
import type { EndpointView, EventType } from '../api/paths.ts';
import { useTexts } from '../i18n.ts';
import { href } from '../router.ts';
import { Loading, ProblemView, Section, StatusBadge, useAction, useLoad, When } from '../ui.tsx';
import { EventType as EventTypes } from '../../../shared/domain/records.ts';

/** The agency's webhook endpoints: add one, rotate a secret (shown once), open an endpoint's delivery log. */
export function Webhooks() {
  const { t } = useTexts();
  const endpoints = useLoad(() => ok(api.GET('/v1/webhook-endpoints')), []);
  const [secret, setSecret] = useState<{ endpoint: string; secret: string }>();
  return (
    <>
      <Section title={t('endpoints')}>
        <Loading loaded={endpoints} />
        {secret ? (
          <p class="secret" role="status">
            {t('secretOnce')} <code data-secret-for={secret.endpoint}>{secret.secret}</code>
          </p>
        ) : null}
        {endpoints.value?.items.length === 0 ? <p class="muted">{t('none')}</p> : null}
        {endpoints.value?.items.length ? (
          <table>
            <thead>
              <tr>
                <th>{t('url')}</th>
                <th>{t('eventTypes')}</th>
                <th>{t('status')}</th>
                <th>{t('created')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {endpoints.value.items.map((endpoint) => (
                <Endpoint endpoint={endpoint} onSecret={(s) => setSecret({ endpoint: endpoint.id, secret: s })} />
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
      <AddEndpoint
        onAdded={(id, s) => {
          setSecret({ endpoint: id, secret: s });
          endpoints.reload();
        }}
      />
    </>
  );
}

function Endpoint({ endpoint, onSecret }: { endpoint: EndpointView; onSecret: (secret: string) => void }) {
  const { t } = useTexts();
  const action = useAction();
  const rotate = () =>
    action.run(async () => {
      const rotated = await ok(api.POST('/v1/webhook-endpoints/{id}/rotate-secret', { params: { path: { id: endpoint.id } } }));
      onSecret(rotated.secret);
    });
  return (
    <tr data-endpoint={endpoint.id}>
      <td>
        <a href={href('webhooks', endpoint.id)}>{endpoint.url}</a>
      </td>
      <td>{endpoint.eventTypes.length ? endpoint.eventTypes.join(', ') : t('allEvents')}</td>
      <td>
        <StatusBadge status={endpoint.status} />
        {endpoint.disabledReason ? <span class="muted"> {endpoint.disabledReason}</span> : null}
      </td>
      <td><When at={endpoint.createdAt} /></td>
      <td>
        <a href={href('webhooks', endpoint.id)}>{t('deliveries')}</a>{' '}
        <button type="button" name="rotate" onClick={rotate} disabled={action.busy}>{t('rotate')}</button>
        <ProblemView error={action.error} />
      </td>
    </tr>
  );
}

function AddEndpoint({ onAdded }: { onAdded: (id: string, secret: string) => void }) {
  const { t } = useTexts();
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<EventType[]>([]);
  const action = useAction();
  const add = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const created = await ok(api.POST('/v1/webhook-endpoints', { body: { url: url.trim(), ...(types.length ? { eventTypes: types } : {}) } }));
      setUrl('');
      setTypes([]);
      onAdded(created.id, created.secret);
    });
  };
  const toggle = (type: EventType, on: boolean) => setTypes(on ? [...types, type] : types.filter((x) => x !== type));
  return (
    <Section title={t('addEndpoint')}>
      <form class="add-endpoint" onSubmit={add}>
        <label>
          {t('url')}
          <input name="url" type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://…" />
        </label>
        <fieldset>
          <legend>{t('eventTypes')} ({t('allEvents')} …)</legend>
          {EventTypes.options.map((type) => (
            <label class="inline">
              <input type="checkbox" name="eventTypes" value={type} checked={types.includes(type)} onChange={(e) => toggle(type, e.currentTarget.checked)} />
              {type}
            </label>
          ))}
        </fieldset>
        <button type="submit" name="add" disabled={action.busy}>{t('addEndpoint')}</button>
        <ProblemView error={action.error} />
      </form>
    </Section>
  );
}
