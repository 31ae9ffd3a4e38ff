import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { initialLang, type Lang, saveLang, texts, TextsContext } from './i18n.ts';
import { href, useRoute } from './router.ts';
import { currentKey, onSessionChange, scopeOf, signOut } from './session.ts';
import { ApplicationDetail } from './views/application-detail.tsx';
import { Applications } from './views/applications.tsx';
import { BatchDetail } from './views/batch-detail.tsx';
import { BatchUpload } from './views/batch-upload.tsx';
import { Batches } from './views/batches.tsx';
import { DeliveryDetail, EndpointDeliveries } from './views/deliveries.tsx';
import { ReviewQueue } from './views/review-queue.tsx';
import { Review } from './views/review.tsx';
import { SignIn } from './views/sign-in.tsx';
import { Webhooks } from './views/webhooks.tsx';
import './styles.css';

function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [key, setKey] = useState(currentKey);
  useEffect(() => onSessionChange(() => setKey(currentKey())), []);
  useEffect(() => saveLang(lang), [lang]);
  const route = useRoute();
  const tx = texts(lang);
  const scope = key ? scopeOf(key) : undefined;

  return (
    <TextsContext.Provider value={tx}>
      <header class="topbar">
        <span class="brand">{tx.t('appName')}</span>
        {scope ? (
          <nav>
            {scope === 'agency' ? (
              <>
                <a href={href('batches')} class={route[0] === 'batches' ? 'active' : ''}>{tx.t('navBatches')}</a>
                <a href={href('applications')} class={route[0] === 'applications' ? 'active' : ''}>{tx.t('navApplications')}</a>
                <a href={href('webhooks')} class={route[0] === 'webhooks' || route[0] === 'deliveries' ? 'active' : ''}>{tx.t('navWebhooks')}</a>
              </>
            ) : (
              <a href={href('reviews')} class={route[0] === 'reviews' ? 'active' : ''}>{tx.t('navReviews')}</a>
            )}
          </nav>
        ) : null}
        <span class="spacer" />
        {scope ? <span class="muted">{tx.t(scope)}</span> : null}
        <button type="button" class="link" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>{tx.t('language')}</button>
        {scope ? <button type="button" class="link" onClick={signOut}>{tx.t('signOut')}</button> : null}
      </header>
      <main>{scope ? <Page scope={scope} route={route} /> : <SignIn />}</main>
    </TextsContext.Provider>
  );
}

function Page({ scope, route }: { scope: 'agency' | 'operator'; route: string[] }) {
  const [section, id, more] = route;
  if (scope === 'operator') return id && section === 'reviews' ? <Review id={id} /> : <ReviewQueue />;
  switch (section) {
    case 'applications':
      return id ? <ApplicationDetail id={id} /> : <Applications />;
    case 'webhooks':
      return id ? <EndpointDeliveries endpointId={id} /> : <Webhooks />;
    case 'deliveries':
      return id ? <DeliveryDetail id={id} /> : <Webhooks />;
    case 'batches':
    default:
      if (id === 'new') return <BatchUpload />;
      return id ? <BatchDetail id={id} onlyRefused={more === 'refused'} /> : <Batches />;
  }
}

render(<App />, document.getElementById('app') as HTMLElement);
