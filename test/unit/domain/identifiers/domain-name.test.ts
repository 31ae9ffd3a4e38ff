import { describe, expect, it } from 'vitest';
import { parseDomainName, sameDomain } from '../../../../shared/domain/identifiers/index.ts';

describe('parseDomainName', () => {
  it.each([
    ['example.com', 'example.com'],
    ['WWW.Example.COM.', 'www.example.com'],
    ['例子.中国', 'xn--fsqu00a.xn--fiqs8s'],
    ['ｅｘａｍｐｌｅ。ｃｏｍ', 'example.com'],
    ['  example.com\u3000', 'example.com'],
    ['\u00a0\tｅｘａｍｐｌｅ．ｃｎ \n', 'example.cn'],
    ['exa\u200bmple.cn', 'example.cn'], // a zero-width space is an invisible paste artefact, not a space
    ['münchen.de', 'xn--mnchen-3ya.de'],
    ['xn--fsqu00a.xn--fiqs8s', 'xn--fsqu00a.xn--fiqs8s'],
    ['a-b.example.com.cn', 'a-b.example.com.cn'],
  ])('normalises %j to %s', (input, value) => {
    // Act
    const result = parseDomainName(input, 'domains.0');

    // Assess
    expect(result).toMatchObject({ ok: true, value });
  });

  it('keeps the Unicode form of an IDN for display', () => {
    // Act
    const result = parseDomainName('例子.中国', 'domains.0');

    // Assess
    expect(result).toMatchObject({ ok: true, parts: { unicode: '例子.中国', tld: 'xn--fiqs8s', isIdn: true } });
  });

  it.each([
    ['', 'required'],
    ['https://www.example.com/path', 'url_not_domain'],
    ['http://example.com', 'url_not_domain'],
    ['example.com/index.html', 'url_not_domain'],
    ['example.com:8080', 'port_not_allowed'],
    ['*.example.com', 'wildcard_not_allowed'],
    ['a..com', 'empty_label'],
    ['.example.com', 'empty_label'],
    ['1.2.3.4', 'ip_address_not_domain'],
    ['localhost', 'missing_tld'],
    ['a_b.com', 'invalid_label'],
    ['-a.com', 'invalid_label'],
    ['a-.com', 'invalid_label'],
    [`${'a'.repeat(64)}.com`, 'label_too_long'],
    [`${'a.'.repeat(127)}com`, 'domain_too_long'],
    ['example.123', 'invalid_tld'],
    ['xn--zz.com', 'invalid_domain'],
    ['exa mple.cn', 'space_in_domain'],
    [' exa mple.cn ', 'space_in_domain'],
    ['example\u3000.cn', 'space_in_domain'],
    ['www.example.cn\u00a0cn', 'space_in_domain'],
    ['example.\tcn', 'space_in_domain'],
  ])('refuses %j with %s', (input, code) => {
    // Act
    const result = parseDomainName(input, 'domains.0');

    // Assess
    expect(result).toEqual({ ok: false, errors: [{ path: 'domains.0', code, message: expect.any(String) }] });
  });

  it('refuses a space inside a domain, showing the joined form only as a hint to check', () => {
    // Act
    const result = parseDomainName(' exa mple.cn ', 'domains.0');

    // Assess
    expect(result.ok ? '' : result.errors[0]?.message).toBe(
      '"exa mple.cn" has a space inside, and a domain name has none. Enter the domain exactly as filed; if the space is a typo, remove it ("example.cn"), but check that this is the domain you mean.',
    );
  });

  it('names the host found in a pasted URL', () => {
    // Act
    const result = parseDomainName('https://www.example.com/a?b=1', 'domains.0');

    // Assess
    expect(result.ok ? '' : result.errors[0]?.message).toContain('"www.example.com"');
  });
});

describe('sameDomain', () => {
  it('compares after normalisation', () => {
    // Assess
    expect(sameDomain('例子.中国', 'XN--FSQU00A.xn--fiqs8s.')).toBe(true);
    expect(sameDomain('example.com', 'www.example.com')).toBe(false);
    expect(sameDomain('not a domain', 'not a domain')).toBe(false);
  });
});
