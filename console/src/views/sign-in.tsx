import { useState } from 'preact/hooks';
import { api } from '../api/client.ts';
import { useTexts } from '../i18n.ts';
import { scopeOf, signIn } from '../session.ts';
import { ProblemView, useAction } from '../ui.tsx';

/** Sign-in: a pasted API key, checked with one read of the API before it is kept for the tab. */
export function SignIn() {
  const { t } = useTexts();
  const [key, setKey] = useState('');
  const [message, setMessage] = useState<string>();
  const action = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = key.trim();
    setMessage(undefined);
    if (!scopeOf(trimmed)) {
      setMessage(t('keyMalformed'));
      return;
    }
    await action.run(async () => {
      const { response } = await api.GET('/v1/batches', { params: { query: { limit: 1 } }, headers: { authorization: `Bearer ${trimmed}` } });
      if (response.status === 401) {
        setMessage(t('keyRefused'));
        return;
      }
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      signIn(trimmed);
      if (!location.hash) location.hash = '#/';
    });
  };

  return (
    <form class="card sign-in" onSubmit={submit}>
      <h1>{t('signInTitle')}</h1>
      <p class="muted">{t('signInHelp')}</p>
      <label>
        {t('apiKey')}
        {/* A password field: the key is not shown on screen (or in screenshots) and browsers do not suggest it elsewhere. */}
        <input name="apiKey" type="password" autocomplete="off" spellcheck={false} value={key} onInput={(e) => setKey(e.currentTarget.value)} required />
      </label>
      <button type="submit" disabled={action.busy}>{t('signIn')}</button>
      {message ? <p class="problem" role="alert">{message}</p> : null}
      <ProblemView error={action.error} />
    </form>
  );
}
