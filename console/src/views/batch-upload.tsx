import { useState } from 'preact/hooks';
import { api, ok } from '../api/client.ts';
import { useTexts } from '../i18n.ts';
import { previewManifest, type ManifestPreview } from '../manifest-preview.ts';
import { go, href } from '../router.ts';
import { ProblemView, Section, useAction } from '../ui.tsx';

/**
 * A CSV manifest: choose the file, see the first rows with what the checks found, then submit — the batch is created
 * (`POST /v1/batches`, `format: csv`) and the file PUT to the presigned URL it answers, as the CLI's `batch submit` does.
 */
export function BatchUpload() {
  const { t } = useTexts();
  const [file, setFile] = useState<{ name: string; bytes: ArrayBuffer }>();
  const [preview, setPreview] = useState<ManifestPreview>();
  const [mode, setMode] = useState<'immediately' | 'hold'>('immediately');
  const action = useAction();

  const choose = async (input: HTMLInputElement) => {
    const chosen = input.files?.[0];
    setPreview(undefined);
    if (!chosen) return setFile(undefined);
    const bytes = await chosen.arrayBuffer();
    setFile({ name: chosen.name, bytes });
    setPreview(await previewManifest(bytes));
  };

  const submit = () =>
    action.run(async () => {
      if (!file) return;
      // The same file and mode make the same key: submitting again after a lost answer finds the batch it created.
      const digest = await crypto.subtle.digest('SHA-256', new Uint8Array([...new TextEncoder().encode(`${mode}\n`), ...new Uint8Array(file.bytes)]));
      const key = `console-${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('').slice(0, 48)}`;
      const batch = await ok(api.POST('/v1/batches', { body: { format: 'csv', submit: mode }, params: { header: { 'Idempotency-Key': key } } }));
      // A replay of a batch whose manifest arrived already has no upload to make.
      if ('upload' in batch && batch.upload) {
        const put = await fetch(batch.upload.uploadUrl, { method: batch.upload.method, headers: batch.upload.headers, body: file.bytes });
        if (!put.ok) throw new Error(`The upload was refused: ${put.status} ${await put.text()}`);
      }
      go('batches', batch.id);
    });

  return (
    <Section title={t('newBatch')} actions={<a href={href('batches')}>{t('back')}</a>}>
      <label>
        {t('chooseFile')}
        <input type="file" name="manifest" accept=".csv,text/csv" onChange={(e) => choose(e.currentTarget)} />
      </label>
      {preview ? <PreviewTable preview={preview} /> : null}
      {preview?.ok ? (
        <div class="submit-row">
          <fieldset>
            <legend>{t('submitMode')}</legend>
            <label class="inline">
              <input type="radio" name="mode" value="immediately" checked={mode === 'immediately'} onChange={() => setMode('immediately')} />
              {t('submitImmediately')}
            </label>
            <label class="inline">
              <input type="radio" name="mode" value="hold" checked={mode === 'hold'} onChange={() => setMode('hold')} />
              {t('submitHold')}
            </label>
          </fieldset>
          <button type="button" onClick={submit} disabled={action.busy}>{action.busy ? t('uploading') : t('submitBatch')}</button>
        </div>
      ) : null}
      <ProblemView error={action.error} />
    </Section>
  );
}

function PreviewTable({ preview }: { preview: ManifestPreview }) {
  const { t } = useTexts();
  if (!preview.ok) {
    const title = { not_utf8: t('notUtf8'), invalid_csv: t('invalidCsv'), invalid_header: t('previewHeaderProblems'), no_rows: t('none') }[preview.problem];
    return (
      <p class="problem" role="alert" data-preview-problem={preview.problem}>
        {title}
        {preview.detail ? `: ${preview.detail}` : ''}
      </p>
    );
  }
  return (
    <div class="preview">
      <h3>{t('previewTitle', { shown: preview.rows.length, total: preview.total })}</h3>
      <p data-preview-valid={preview.valid} data-preview-total={preview.total}>{t('previewValid', { valid: preview.valid, total: preview.total })}</p>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>{t('row')}</th>
              <th>{t('problem')}</th>
              {preview.columns.map((c) => <th>{c}</th>)}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((r) => {
              const bad = new Set(r.errors.map((e) => e.path));
              return (
                <tr data-row={r.row} class={r.errors.length ? 'invalid' : 'valid'}>
                  <td>{r.row}</td>
                  <td class="row-problems">
                    {r.errors.length === 0 ? <span class="badge status-approved">{t('valid')}</span> : null}
                    {r.errors.map((e) => (
                      <div>
                        <code>{e.path}</code> <code class="rule">{e.code}</code> {e.message}
                      </div>
                    ))}
                  </td>
                  {preview.columns.map((c) => <td class={bad.has(c) ? 'bad-cell' : ''}>{r.cells[c]}</td>)}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
