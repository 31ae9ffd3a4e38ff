/**
 * Undo what copying from Word, WeChat, PDFs and Chinese input methods does to identifiers, before they are validated:
 * full-width ASCII (`０-９`, `Ａ-Ｚ`, `－`), the many hyphen and dash look-alikes, spaces of every kind (including the
 * ideographic space U+3000) and zero-width characters, and traditional forms of the fixed words (備 號 證).
 * What is still wrong after this is refused, not guessed at.
 */

// U+FF01…U+FF5E mirror ASCII U+0021…U+007E one to one.
const FULL_WIDTH_ASCII = /[\uFF01-\uFF5E]/g;
const FULL_WIDTH_OFFSET = 0xfee0;

// ‐ ‑ ‒ – — ― − ﹘ ﹣ (the full-width － is handled with the rest of the full-width block).
const HYPHEN_LOOKALIKES = /[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE58\uFE63]/g;

// \s covers ASCII and Unicode spaces incl. NBSP and U+3000; the rest are zero-width characters pasted from web pages.
const SPACES_AND_INVISIBLES = /[\s\u200B-\u200D\u2060\uFEFF]/g;

const TRADITIONAL_MARKERS: Readonly<Record<string, string>> = { 備: '备', 號: '号', 證: '证' };

export type LetterCase = 'upper' | 'lower' | 'keep';

/** Normalise a pasted identifier; `letterCase` folds ASCII letters to the identifier's canonical case. */
export function normalizePasted(input: string, letterCase: LetterCase = 'upper'): string {
  const folded = input
    .normalize('NFC')
    .replace(FULL_WIDTH_ASCII, (c) => String.fromCharCode(c.charCodeAt(0) - FULL_WIDTH_OFFSET))
    .replace(HYPHEN_LOOKALIKES, '-')
    .replace(SPACES_AND_INVISIBLES, '')
    .replace(/[備號證]/g, (c) => TRADITIONAL_MARKERS[c] ?? c);
  if (letterCase === 'upper') return folded.replace(/[a-z]+/g, (s) => s.toUpperCase());
  if (letterCase === 'lower') return folded.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  return folded;
}
