import { domainToASCII, domainToUnicode } from 'node:url';
import { normalizePasted } from './normalize-pasted.ts';
import { fail, type ParseResult } from './parse-result.ts';

/**
 * Domain names as filed: internationalised names (中文域名) are stored in their ASCII (punycode) form, lower case,
 * without a trailing dot, so that two spellings of one domain compare equal.
 */

export interface DomainNameParts {
  /** The canonical ASCII form (`xn--` labels for IDNs); equal to the parse result's value. */
  ascii: string;
  /** The Unicode form, for display. */
  unicode: string;
  labels: string[];
  tld: string;
  isIdn: boolean;
}

const MAX_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// Ideographic and full-width full stops typed by Chinese input methods instead of ".".
const DOT_LOOKALIKES = /[\u3002\uFF0E\uFF61]/g;
// Any space (ASCII, no-break, ideographic U+3000…), but not U+FEFF, which \s counts and which is an invisible mark
// pasted from web pages (normalizePasted removes it with the zero-width characters).
const SPACE = /[^\S\uFEFF]/;

/**
 * Parse a domain name into its canonical ASCII form: `例子.中国` → `xn--fsqu00a.xn--fiqs8s`, `WWW.Example.COM.` →
 * `www.example.com`. A pasted URL is refused with the host it contains as a hint.
 */
export function parseDomainName(input: string, path: string): ParseResult<DomainNameParts> {
  // Spaces around a pasted domain are noise; one inside is not: a domain has no check character, so joining the parts
  // could name a domain nobody meant, and the order would cancel it.
  const inner = input.trim();
  if (SPACE.test(inner)) {
    const joined = normalizePasted(inner, 'keep').replace(DOT_LOOKALIKES, '.');
    return fail(
      path,
      'space_in_domain',
      `"${inner}" has a space inside, and a domain name has none. Enter the domain exactly as filed; if the space is a typo, remove it ("${joined}"), but check that this is the domain you mean.`,
    );
  }
  const s = normalizePasted(input, 'keep').replace(DOT_LOOKALIKES, '.');
  if (s === '') return fail(path, 'required', 'Enter a domain name such as example.com.');

  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /[/?#@\\]/.test(s)) {
    const host = hostOf(s);
    return fail(
      path,
      'url_not_domain',
      `Enter only the domain name, not a URL: remove the scheme (http://, https://) and any path${host ? `, i.e. enter "${host}"` : ''}.`,
    );
  }
  if (/:\d*$/.test(s)) {
    return fail(path, 'port_not_allowed', `Remove the port: enter "${s.replace(/:\d*$/, '')}" without ":${s.split(':').pop()}".`);
  }
  if (s.includes('*')) {
    return fail(path, 'wildcard_not_allowed', 'Wildcards are not filed; enter the domain itself, e.g. example.com instead of *.example.com.');
  }
  const withoutRootDot = s.endsWith('.') ? s.slice(0, -1) : s;
  if (withoutRootDot.split('.').some((label) => label === '')) {
    return fail(path, 'empty_label', `"${s}" has an empty part (two dots in a row, or a leading dot); remove the extra dot.`);
  }
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(withoutRootDot) || withoutRootDot.includes(':')) {
    return fail(path, 'ip_address_not_domain', 'An IP address is not a domain name; enter the domain the website is served under.');
  }
  // Checked before the IDNA conversion, which refuses such names without saying why (they parse as IPv4 in URLs).
  const lastLabel = withoutRootDot.split('.').pop() ?? '';
  if (withoutRootDot.includes('.') && /^\d+$/.test(lastLabel)) {
    return fail(path, 'invalid_tld', `"${lastLabel}" is not a top-level domain; enter the full domain, e.g. example.com.`);
  }
  const ascii = domainToASCII(withoutRootDot);
  if (ascii === '') {
    return fail(
      path,
      'invalid_domain',
      `"${s}" is not a valid domain name: use letters, digits and hyphens (or Chinese characters for a 中文域名), separated by dots.`,
    );
  }
  if (ascii.length > MAX_LENGTH) {
    return fail(path, 'domain_too_long', `A domain name has at most ${MAX_LENGTH} characters in its ASCII form; this one has ${ascii.length}.`);
  }
  const labels = ascii.split('.');
  if (labels.length < 2) {
    return fail(path, 'missing_tld', `"${s}" has no top-level domain; enter the full domain as filed, e.g. example.com or example.cn.`);
  }
  for (const label of labels) {
    if (label.length > MAX_LABEL_LENGTH) {
      return fail(path, 'label_too_long', `Each part of a domain has at most ${MAX_LABEL_LENGTH} characters; "${label}" has ${label.length}.`);
    }
    if (!LDH_LABEL.test(label)) {
      return fail(
        path,
        'invalid_label',
        `"${label}" is not a valid part of a domain name: only letters, digits and inner hyphens are allowed (no "_", no leading or trailing "-").`,
      );
    }
  }
  const tld = labels[labels.length - 1] ?? '';
  return {
    ok: true,
    value: ascii,
    parts: { ascii, unicode: domainToUnicode(ascii), labels, tld, isIdn: labels.some((l) => l.startsWith('xn--')) },
  };
}

/** The host of a pasted URL, to show in the hint; undefined when it cannot be made out. */
function hostOf(pasted: string): string | undefined {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(pasted) ? pasted : `http://${pasted}`);
    return url.hostname || undefined;
  } catch {
    return undefined;
  }
}

/** True when two domain names are the same after normalisation (case, IDN form, trailing dot, pasted characters). */
export function sameDomain(a: string, b: string): boolean {
  const pa = parseDomainName(a, '');
  const pb = parseDomainName(b, '');
  return pa.ok && pb.ok && pa.value === pb.value;
}
