import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblemError } from './api/client.ts';
import { useTexts } from './i18n.ts';

/** The state of something loaded from the API: its value, its error, and a way to load it again. */
export interface Loaded<T> {
  value?: T;
  error?: unknown;
  loading: boolean;
  reload(): void;
}

/**
 * Loads `load()` now, again whenever `deps` change, and every `pollMs` while `poll(value)` says so (a batch still
 * under way). A load that finishes after a newer one started is dropped.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], options: { pollMs?: number; poll?: (value: T) => boolean } = {}): Loaded<T> {
  const [state, setState] = useState<{ value?: T; error?: unknown; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (value) => mine === generation.current && setState({ value, loading: false }),
      (error: unknown) => mine === generation.current && setState((s) => ({ ...s, error, loading: false })),
    );
  }, deps);
  useEffect(run, [run]);
  const { pollMs, poll } = options;
  useEffect(() => {
    if (!pollMs || state.value === undefined || !poll?.(state.value)) return;
    const timer = setTimeout(run, pollMs);
    return () => clearTimeout(timer);
  }, [state.value, pollMs, run]);
  return { ...state, reload: run };
}

/** An API problem (or any failure) as the user should see it: title, detail, and each field error with its rule. */
export function ProblemView({ error }: { error: unknown }) {
  if (error === undefined) return null;
  if (!(error instanceof ApiProblemError)) return <p class="problem" role="alert">{String(error instanceof Error ? error.message : error)}</p>;
  const { problem } = error;
  return (
    <div class="problem" role="alert">
      <strong>
        {problem.status} {problem.title}
      </strong>
      {problem.detail ? <p>{problem.detail}</p> : null}
      {problem.errors?.length ? (
        <ul>
          {problem.errors.map((e) => (
            <li>
              <code>{e.path}</code> <code class="rule">{e.code}</code> {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Loading({ loaded }: { loaded: Loaded<unknown> }) {
  const { t } = useTexts();
  if (loaded.error !== undefined) return <ProblemView error={loaded.error} />;
  if (loaded.value === undefined) return <p class="muted">{t('loading')}</p>;
  return null;
}

export function StatusBadge({ status }: { status: string }) {
  const { label } = useTexts();
  return <span class={`badge status-${status}`}>{label(status)}</span>;
}

/** A progress bar from 0 to 1, with its percentage for screen readers and tests. */
export function ProgressBar({ value, label }: { value: number; label?: string }) {
  const percent = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-label={label}>
      <div class="progress-fill" style={{ width: `${percent}%` }} />
      <span class="progress-text">{percent}%</span>
    </div>
  );
}

/** A date-time in the reader's locale and time zone (the API gives UTC). */
export function When({ at }: { at?: string }) {
  const { lang } = useTexts();
  if (!at) return null;
  return <time dateTime={at}>{new Date(at).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium' })}</time>;
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card">
      <header class="card-header">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** Runs an action with its button busy, and shows what it failed with. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async (action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
