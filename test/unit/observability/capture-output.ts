import { vi } from 'vitest';

/**
 * What the process writes to stdout and stderr while `fn` runs, as JSON lines: Powertools writes its log lines and EMF
 * metrics with a `Console` of its own on `process.stdout`/`process.stderr`, not through `console.*`.
 */
export async function captureOutput(fn: () => unknown): Promise<{ lines: Record<string, unknown>[]; text: string }> {
  const written: string[] = [];
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await fn();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const text = written.join('');
  const lines = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, text };
}
