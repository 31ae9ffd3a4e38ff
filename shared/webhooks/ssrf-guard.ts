import { promises as dns, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { UnsafeWebhookTargetError } from './errors.ts';

/**
 * Server-side request forgery guard for customer webhook URLs.
 *
 * Two layers, because neither is enough alone:
 * - `checkWebhookUrl` runs at registration (and again before each send) and refuses what is visibly wrong in the URL.
 * - `guardedLookup` runs at connect time on the addresses actually dialled, so a public name that later resolves to
 *   169.254.169.254 (DNS rebinding, or a record changed after registration) is still refused.
 */

export interface AddressPolicy {
  /** Accept loopback targets: only the local runtime sets this, to deliver to a receiver on the developer's machine. */
  allowLoopback: boolean;
}

/** Why each non-public `ipaddr.js` range is refused, phrased to follow "<address> is …". */
const RANGE_REASONS: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address (where cloud metadata services such as 169.254.169.254 live)',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  private: 'a private network address (RFC 1918)',
  uniqueLocal: 'a unique local IPv6 address (fc00::/7, e.g. the EC2 metadata address fd00:ec2::254)',
  reserved: 'a reserved or documentation address',
  benchmarking: 'a benchmarking address',
  deprecatedSiteLocal: 'a deprecated site-local IPv6 address',
  discard: 'an IPv6 discard-only address',
  teredo: 'a Teredo tunnel address',
  '6to4': 'a 6to4 tunnel address (deprecated by RFC 7526)',
};

function describeRange(range: string): string {
  return RANGE_REASONS[range] ?? `in the special-purpose range "${range}", not a public unicast address`;
}

/** The IPv4 address held in the last 32 bits of an IPv6 address (mapped, translated and NAT64 forms). */
function lowIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 {
  const bytes = v6.toByteArray();
  return new ipaddr.IPv4(bytes.slice(12, 16));
}

function judge(address: ipaddr.IPv4 | ipaddr.IPv6, policy: AddressPolicy): string | undefined {
  const range = address.range();
  if (range === 'unicast' && address.kind() === 'ipv4') return undefined;
  if (range === 'loopback') return policy.allowLoopback ? undefined : describeRange(range);
  if (address.kind() === 'ipv4') return describeRange(range);

  const v6 = address as ipaddr.IPv6;
  switch (range) {
    case 'unicast':
      // ipaddr.js calls everything outside its special list "unicast", including ::/8 leftovers such as the
      // IPv4-compatible ::7f00:1; only 2000::/3 is allocated as global unicast.
      return v6.match(ipaddr.IPv6.parse('2000::'), 3) ? undefined : 'outside the IPv6 global unicast range 2000::/3';
    case 'ipv4Mapped':
    case 'rfc6145':
    case 'rfc6052': {
      // The same host as the embedded IPv4 address (or reached through NAT64): judge that address instead.
      if (range === 'rfc6052' && !v6.match(ipaddr.IPv6.parse('64:ff9b::'), 96)) {
        return 'a local-use NAT64 address (64:ff9b:1::/48)';
      }
      const inner = lowIPv4(v6);
      const reason = judge(inner, policy);
      return reason === undefined ? undefined : `an IPv6 form of ${inner.toString()}, ${reason}`;
    }
    default:
      // 6to4 and Teredo tunnel to an embedded IPv4 address; they are obsolete, so refuse them whatever they wrap.
      return describeRange(range);
  }
}

/**
 * Whether `ip` is an address webhooks must never be sent to.
 *
 * Only public unicast addresses pass (and loopback when `allowLoopback`): private, link-local (cloud metadata),
 * unique-local, carrier-grade NAT, unspecified, broadcast, multicast, reserved, and IPv6 forms wrapping any of those
 * (IPv4-mapped, NAT64, 6to4, Teredo) are refused. Anything that does not parse as an address is refused too.
 *
 * @returns the reason, phrased to follow "<ip> is …", or `undefined` when the address is allowed.
 */
export function isForbiddenAddress(ip: string, opts: AddressPolicy): string | undefined {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.parse(ip);
  } catch {
    return 'not a valid IP address';
  }
  return judge(address, opts);
}

/** Machine-readable reasons a webhook URL is refused; `message` says the same for a human, with the fix. */
export type WebhookUrlProblemCode =
  | 'invalid_url'
  | 'url_too_long'
  | 'unsupported_scheme'
  | 'https_required'
  | 'credentials_in_url'
  | 'port_not_allowed'
  | 'forbidden_address'
  | 'forbidden_hostname';

export type WebhookUrlCheck =
  | { ok: true; url: URL }
  | { ok: false; code: WebhookUrlProblemCode; message: string };

export interface WebhookUrlPolicy extends AddressPolicy {
  /** Accept `http:` URLs: only the local runtime sets this. */
  allowHttp?: boolean;
}

const MAX_URL_LENGTH = 2048;

/**
 * Names that only resolve inside a private network or on the machine itself: `localhost` (RFC 6761), mDNS `.local`
 * (RFC 6762), the suffixes RFC 6762 appendix G lists as used privately, `.home.arpa` (RFC 8375) and `.internal`
 * (cloud-internal DNS, e.g. `metadata.google.internal`, `ip-10-0-0-1.ec2.internal`).
 */
const PRIVATE_SUFFIXES = ['localhost', 'local', 'internal', 'localdomain', 'home.arpa', 'intranet', 'private', 'corp', 'home', 'lan'];

/**
 * Static checks on a webhook URL, without DNS: absolute `https:` URL (`http:` only with `allowHttp`), no credentials,
 * a web port, and a host that is neither a non-public IP literal (in any notation: WHATWG URL normalises decimal,
 * octal and hex IPv4 forms first) nor a name that can only resolve privately. With `allowLoopback`, `localhost` and
 * loopback literals are accepted, nothing else private.
 *
 * Messages never repeat the URL, which may carry credentials or tokens; they name the host at most.
 */
export function checkWebhookUrl(url: string, opts: WebhookUrlPolicy): WebhookUrlCheck {
  if (url.length > MAX_URL_LENGTH) {
    return fail('url_too_long', `The webhook URL is longer than ${MAX_URL_LENGTH} characters; use a shorter URL.`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('invalid_url', 'The webhook URL is not a valid absolute URL; use the form https://hooks.example.com/icp.');
  }

  if (parsed.protocol === 'http:' && !opts.allowHttp) {
    return fail('https_required', 'The webhook URL must use https://; plain http:// is not accepted. Serve your endpoint over TLS.');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return fail('unsupported_scheme', `The webhook URL scheme "${parsed.protocol.slice(0, -1)}" is not supported; use https://.`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return fail(
      'credentials_in_url',
      'The webhook URL must not contain a user name or password; remove the "user:password@" part and verify the webhook-signature header to authenticate deliveries instead.',
    );
  }
  if (!isAllowedPort(parsed.port)) {
    return fail(
      'port_not_allowed',
      `Port ${parsed.port} is not allowed for webhooks; use the default port (443), 80, or a port from 1024 to 65535.`,
    );
  }

  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '');
  if (isIP(host) !== 0) {
    const reason = isForbiddenAddress(host, opts);
    return reason === undefined
      ? { ok: true, url: parsed }
      : fail('forbidden_address', `The webhook host ${host} is ${reason}; use the public hostname or address of your endpoint.`);
  }
  const problem = privateNameProblem(host, opts);
  return problem === undefined ? { ok: true, url: parsed } : fail('forbidden_hostname', problem);
}

/** 80 and 443 are the web ports; below 1024 live system services (SSH, SMTP…) that a webhook has no business reaching. */
function isAllowedPort(port: string): boolean {
  if (port === '') return true; // the scheme's default
  const n = Number(port);
  return n === 80 || n === 443 || (n >= 1024 && n <= 65_535);
}

function privateNameProblem(host: string, opts: AddressPolicy): string | undefined {
  if (host === 'localhost' && opts.allowLoopback) return undefined;
  const suffix = PRIVATE_SUFFIXES.find((s) => host === s || host.endsWith(`.${s}`));
  if (suffix !== undefined) {
    return `The webhook host ${host} only resolves inside a private network (".${suffix}" names); use a public DNS name for your endpoint.`;
  }
  if (!host.includes('.')) {
    // Single-label names are completed with the resolver's search domains, i.e. inside our own network.
    return `The webhook host ${host} is not a fully qualified domain name; use a public DNS name such as hooks.example.com.`;
  }
  return undefined;
}

function fail(code: WebhookUrlProblemCode, message: string): WebhookUrlCheck {
  return { ok: false, code, message };
}

/** Resolves a host name to all of its addresses; `dns.promises.lookup` unless a test injects a fake. */
export type HostResolver = (hostname: string, options: LookupAllOptions) => Promise<LookupAddress[]>;

export interface GuardedLookupOptions extends AddressPolicy {
  resolve?: HostResolver;
}

/**
 * A `lookup` for `net.connect` / `tls.connect` (and so for the webhook agents' `lookup` option) that resolves every address of
 * the host and fails with `UnsafeWebhookTargetError` if ANY of them is forbidden. Checking all of them, not only the
 * one dialled first, matters because the socket may fall back to another (happy eyeballs).
 *
 * Node skips `lookup` for IP literals, so whoever connects must check literal hosts with `isForbiddenAddress` too
 * (`createWebhookAgents` does).
 */
export function guardedLookup(opts: GuardedLookupOptions): LookupFunction {
  const resolve: HostResolver = opts.resolve ?? ((hostname, options) => dns.lookup(hostname, options));
  return (hostname, options, callback) => {
    resolve(hostname, { family: options.family, hints: options.hints, all: true }).then(
      (addresses) => {
        const first = addresses[0];
        if (first === undefined) {
          const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          error.code = 'ENOTFOUND';
          callback(error, options.all ? [] : '');
          return;
        }
        for (const { address } of addresses) {
          const reason = isForbiddenAddress(address, opts);
          if (reason !== undefined) {
            callback(unsafeTarget(hostname, address, reason), options.all ? [] : '');
            return;
          }
        }
        if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, options.all ? [] : ''),
    );
  };
}

/** The error both connect-time checks raise; exported for the connector that checks IP literals. */
export function unsafeTarget(hostname: string, address: string, reason: string): UnsafeWebhookTargetError {
  const via = hostname === address ? address : `${hostname} (resolved to ${address})`;
  return new UnsafeWebhookTargetError(
    `Refused to connect to ${via}: ${address} is ${reason}. Webhook endpoints must resolve only to public addresses.`,
    { address },
  );
}
