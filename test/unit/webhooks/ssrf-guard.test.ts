import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { UnsafeWebhookTargetError } from '../../../shared/webhooks/errors.ts';
import {
  checkWebhookUrl,
  guardedLookup,
  type HostResolver,
  isForbiddenAddress,
} from '../../../shared/webhooks/ssrf-guard.ts';

const strict = { allowLoopback: false };
const local = { allowLoopback: true };

describe('isForbiddenAddress', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['127.255.0.9', /loopback/],
    ['10.0.0.1', /private/],
    ['172.16.0.1', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /link-local/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.100.100.200', /carrier-grade NAT/],
    ['0.0.0.0', /unspecified/],
    ['255.255.255.255', /broadcast/],
    ['224.0.0.1', /multicast/],
    ['192.0.2.1', /reserved/],
    ['240.0.0.1', /reserved/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['fc00::1', /unique local/],
    ['fd00:ec2::254', /unique local/],
    ['ff02::1', /multicast/],
    ['::ffff:127.0.0.1', /IPv6 form of 127\.0\.0\.1, a loopback/],
    ['::ffff:169.254.169.254', /IPv6 form of 169\.254\.169\.254, a link-local/],
    ['::ffff:10.0.0.1', /private/],
    ['64:ff9b::a9fe:a9fe', /IPv6 form of 169\.254\.169\.254/],
    ['2002:7f00:1::1', /6to4/],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
    ['::7f00:1', /2000::\/3/],
    ['2001:db8::1', /reserved/],
    ['not-an-ip', /not a valid IP/],
  ])('refuses %s', (ip, reason) => {
    // Prepare / Act
    const result = isForbiddenAddress(ip, strict);

    // Assess
    expect(result).toMatch(reason);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111', '2a00:1450:4001:82a::200e', '::ffff:93.184.216.34'])(
    'allows public %s',
    (ip) => {
      // Prepare / Act
      const result = isForbiddenAddress(ip, strict);

      // Assess
      expect(result).toBeUndefined();
    },
  );

  it('allows loopback, and only loopback, when the local runtime asks for it', () => {
    // Prepare
    const ips = ['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.0.0.1', '169.254.169.254'];

    // Act
    const results = ips.map((ip) => isForbiddenAddress(ip, local));

    // Assess
    expect(results.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(results[3]).toMatch(/private/);
    expect(results[4]).toMatch(/link-local/);
  });
});

describe('checkWebhookUrl', () => {
  it.each([
    ['https://127.0.0.1/hook', 'forbidden_address', /127\.0\.0\.1 is a loopback address/],
    ['https://10.0.0.1/hook', 'forbidden_address', /private/],
    ['https://172.16.0.1/hook', 'forbidden_address', /private/],
    ['https://192.168.1.1/hook', 'forbidden_address', /private/],
    ['https://169.254.169.254/latest/meta-data/', 'forbidden_address', /link-local/],
    ['https://100.64.0.1/', 'forbidden_address', /carrier-grade/],
    ['https://0.0.0.0/', 'forbidden_address', /unspecified/],
    ['https://[::1]/hook', 'forbidden_address', /loopback/],
    ['https://[fe80::1]/hook', 'forbidden_address', /link-local/],
    ['https://[fc00::1]/hook', 'forbidden_address', /unique local/],
    ['https://[fd00:ec2::254]/', 'forbidden_address', /unique local/],
    ['https://[::ffff:127.0.0.1]/hook', 'forbidden_address', /127\.0\.0\.1, a loopback/],
    ['https://[::ffff:169.254.169.254]/', 'forbidden_address', /169\.254\.169\.254, a link-local/],
    ['http://2130706433/', 'https_required', /https:\/\//],
    ['https://2130706433/', 'forbidden_address', /127\.0\.0\.1 is a loopback/],
    ['https://0x7f.1/', 'forbidden_address', /127\.0\.0\.1 is a loopback/],
    ['https://017700000001/', 'forbidden_address', /127\.0\.0\.1 is a loopback/],
    ['https://0xa9fea9fe/', 'forbidden_address', /169\.254\.169\.254 is a link-local/],
    ['https://localhost/hook', 'forbidden_hostname', /private network/],
    ['https://LOCALHOST./hook', 'forbidden_hostname', /private network/],
    ['https://foo.localhost/hook', 'forbidden_hostname', /private network/],
    ['https://metadata.google.internal/computeMetadata/v1/', 'forbidden_hostname', /"\.internal" names/],
    ['https://ip-10-0-0-1.ec2.internal/', 'forbidden_hostname', /private network/],
    ['https://printer.local/', 'forbidden_hostname', /"\.local" names/],
    ['https://intranet-server/hook', 'forbidden_hostname', /fully qualified/],
    ['https://user:secret@example.com/hook', 'credentials_in_url', /remove the "user:password@" part/],
    ['ftp://example.com/hook', 'unsupported_scheme', /"ftp" is not supported; use https/],
    ['file:///etc/passwd', 'unsupported_scheme', /use https/],
    ['http://example.com/hook', 'https_required', /must use https/],
    ['https://example.com:22/hook', 'port_not_allowed', /Port 22 is not allowed/],
    ['/relative/hook', 'invalid_url', /absolute URL/],
    ['not a url', 'invalid_url', /absolute URL/],
    [`https://example.com/${'a'.repeat(2100)}`, 'url_too_long', /shorter/],
  ])('refuses %s as %s', (url, code, message) => {
    // Prepare / Act
    const result = checkWebhookUrl(url, strict);

    // Assess
    expect(result).toMatchObject({ ok: false, code });
    expect(result.ok || result.message).toMatch(message);
  });

  it.each([
    'https://example.com/hook',
    'https://93.184.216.34/hook',
    'https://[2606:4700::1111]/hook',
    'https://hooks.example.com:8443/icp?token=abc',
    'https://example.com:443/hook',
  ])('accepts %s', (url) => {
    // Prepare / Act
    const result = checkWebhookUrl(url, strict);

    // Assess
    expect(result.ok).toBe(true);
    expect(result.ok && result.url.href).toBe(new URL(url).href);
  });

  it('never repeats credentials from the URL in its message', () => {
    // Prepare
    const url = 'https://admin:hunter2@example.com/hook';

    // Act
    const result = checkWebhookUrl(url, strict);

    // Assess
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('accepts http and localhost/loopback only when the local runtime allows them', () => {
    // Prepare
    const localRuntime = { allowLoopback: true, allowHttp: true };

    // Act
    const accepted = ['http://localhost:3000/hook', 'http://127.0.0.1:3000/hook', 'http://[::1]:3000/hook'].map(
      (url) => checkWebhookUrl(url, localRuntime).ok,
    );
    const stillRefused = ['http://foo.localhost:3000/', 'http://10.0.0.1/', 'http://metadata.google.internal/'].map(
      (url) => checkWebhookUrl(url, localRuntime).ok,
    );

    // Assess
    expect(accepted).toEqual([true, true, true]);
    expect(stillRefused).toEqual([false, false, false]);
  });
});

describe('guardedLookup', () => {
  const lookup = (fn: ReturnType<typeof guardedLookup>, host: string, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[] }>((resolve) => {
      fn(host, { all }, (error, address) => resolve({ error, address }));
    });

  it('refuses a host name that resolves to loopback (localhost)', async () => {
    // Prepare
    const guarded = guardedLookup(strict);

    // Act
    const { error } = await lookup(guarded, 'localhost', true);

    // Assess
    expect(error).toBeInstanceOf(UnsafeWebhookTargetError);
    expect(error?.message).toMatch(/localhost \(resolved to (127\.0\.0\.1|::1)\).*loopback/);
  });

  it('resolves localhost when loopback is allowed, in the shape the caller asked for', async () => {
    // Prepare
    const guarded = guardedLookup(local);

    // Act
    const all = await lookup(guarded, 'localhost', true);
    const one = await lookup(guarded, 'localhost', false);

    // Assess
    expect(all.error).toBeNull();
    expect(Array.isArray(all.address) && all.address.length).toBeGreaterThan(0);
    expect(one.address).toMatch(/^(127\.0\.0\.1|::1)$/);
  });

  it('refuses when any one of several addresses is forbidden (rebinding to a metadata address)', async () => {
    // Prepare
    const resolve: HostResolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ];
    const guarded = guardedLookup({ allowLoopback: false, resolve });

    // Act
    const { error } = await lookup(guarded, 'hooks.example.com', false);

    // Assess
    expect(error).toBeInstanceOf(UnsafeWebhookTargetError);
    expect((error as UnsafeWebhookTargetError).address).toBe('169.254.169.254');
  });

  it('passes public addresses and DNS failures through', async () => {
    // Prepare
    const publicOnly = guardedLookup({ allowLoopback: false, resolve: async () => [{ address: '2606:4700::1111', family: 6 }] });
    const failing = guardedLookup({
      allowLoopback: false,
      resolve: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example'), { code: 'ENOTFOUND' });
      },
    });

    // Act
    const ok = await lookup(publicOnly, 'hooks.example.com', false);
    const notFound = await lookup(failing, 'nowhere.example', true);

    // Assess
    expect(ok).toEqual({ error: null, address: '2606:4700::1111' });
    expect(notFound.error?.code).toBe('ENOTFOUND');
  });
});
